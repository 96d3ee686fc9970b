//! The software service's routes: the update repository's metadata and targets, served as
//! files (see [`crate::protocol::updates`]). No request is authenticated and no answer
//! signed by the link: every byte is checked by the station against the repository's own
//! signatures, and any TUF client may read them.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::refusal;
use crate::protocol::updates::{METADATA_PATH, TARGETS_PATH, is_target_name};
use crate::vendor_system::VendorError;
use crate::vendor_system::service::Vendor;

/// The software service's routes.
pub(super) fn routes(router: Router<Arc<Vendor>>) -> Router<Arc<Vendor>> {
    router
        .route(&format!("{METADATA_PATH}{{file}}"), get(metadata))
        .route(&format!("{TARGETS_PATH}{{file}}"), get(target))
}

async fn metadata(State(vendor): State<Arc<Vendor>>, Path(file): Path<String>) -> Response {
    if !is_metadata_name(&file) {
        return not_found(
            &file,
            "root.json, N.root.json, timestamp.json, N.snapshot.json or N.targets.json",
        );
    }
    let dir = vendor.rates().repository().metadata_dir();
    let mut answer = serve_file(dir.join(&file), &file, "application/json").await;
    // `timestamp.json` and `root.json` change in place: no cache may keep an old one.
    answer
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}

async fn target(State(vendor): State<Arc<Vendor>>, Path(file): Path<String>) -> Response {
    if !is_target_file_name(&file) {
        return not_found(&file, "<sha256 hex>.<target name>");
    }
    let dir = vendor.rates().repository().targets_dir();
    serve_file(dir.join(&file), &file, "application/octet-stream").await
}

/// Whether `file` is a target's file name: its SHA-256 (64 lower-case hex digits), a dot,
/// and a target name as published.
fn is_target_file_name(file: &str) -> bool {
    file.split_once('.').is_some_and(|(hash, name)| {
        hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && is_target_name(name)
    })
}

/// Whether `file` names a metadata file of a repository with consistent snapshots.
fn is_metadata_name(file: &str) -> bool {
    let Some(stem) = file.strip_suffix(".json") else {
        return false;
    };
    let (version, role) = stem.split_once('.').unwrap_or(("", stem));
    let numbered =
        version.is_empty() || (version.len() <= 19 && version.bytes().all(|b| b.is_ascii_digit()));
    numbered
        && match role {
            "root" => true,
            "timestamp" => version.is_empty(),
            "snapshot" | "targets" => !version.is_empty(),
            _ => false,
        }
}

/// The file at `path`, streamed in chunks with its length: a counter build of 159 MB to
/// many stations at once costs the data centre a buffer per download, not the build.
async fn serve_file(path: PathBuf, shown: &str, content_type: &'static str) -> Response {
    let opened = match tokio::fs::File::open(&path).await {
        Ok(file) => file.metadata().await.map(|m| (file, m.len())),
        Err(e) => Err(e),
    };
    match opened {
        Ok((file, length)) => {
            let chunks = futures_util::stream::unfold(file, |mut file| async move {
                let mut buffer = vec![0u8; CHUNK_BYTES];
                match tokio::io::AsyncReadExt::read(&mut file, &mut buffer).await {
                    Ok(0) => None,
                    Ok(count) => {
                        buffer.truncate(count);
                        Some((Ok::<_, std::io::Error>(buffer), file))
                    }
                    Err(e) => Some((Err(e), file)),
                }
            });
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                    (header::CONTENT_LENGTH, HeaderValue::from(length)),
                ],
                axum::body::Body::from_stream(chunks),
            )
                .into_response()
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            refusal(VendorError::not_found(format!(
                "the update repository has no {}",
                crate::vendor_system::validate::shown(shown)
            )))
        }
        Err(e) => refusal(VendorError::storage(format!("{}: {e}", path.display()))),
    }
}

/// What one read of a served file takes.
const CHUNK_BYTES: usize = 64 * 1024;

fn not_found(file: &str, accepted: &str) -> Response {
    refusal(VendorError::not_found(format!(
        "the update repository has no {}: it serves {accepted}",
        crate::vendor_system::validate::shown(file)
    )))
}

#[cfg(test)]
mod tests {
    use super::{is_metadata_name, is_target_file_name};

    #[test]
    fn a_target_file_is_its_hash_and_a_target_name_of_any_allowed_length() {
        let hash = "ab".repeat(32);
        let long = format!("rates-{}.toml", "x".repeat(89));
        assert_eq!(long.len(), 100);
        assert!(is_target_file_name(&format!("{hash}.{long}")));
        assert!(is_target_file_name(&format!(
            "{hash}.rates-usps-commercial-2027-01-18.toml"
        )));
        for bad in [
            "rates.toml".to_string(),
            format!("{}.x.toml", "AB".repeat(32)),
            format!("{hash}..lock"),
            format!("{hash}./etc"),
            format!("{}.x.toml", "ab".repeat(31)),
        ] {
            assert!(!is_target_file_name(&bad), "{bad}");
        }
    }

    #[test]
    fn only_the_files_of_a_consistent_snapshot_repository_are_named() {
        for good in [
            "root.json",
            "1.root.json",
            "timestamp.json",
            "3.snapshot.json",
            "12.targets.json",
        ] {
            assert!(is_metadata_name(good), "{good}");
        }
        for bad in [
            "snapshot.json",
            "targets.json",
            "1.timestamp.json",
            "x.root.json",
            "../root.json",
            "root",
            "1.mirrors.json",
            ".json",
        ] {
            assert!(!is_metadata_name(bad), "{bad}");
        }
    }
}
