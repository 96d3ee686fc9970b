//! The station's side of the software service: a TUF client (tough) that checks the data
//! centre's repository and installs the rate files it lists (see
//! [`crate::protocol::updates`]).
//!
//! Everything lives in `<data dir>/updates` (owner-only):
//! - `root.json`: the root the station trusts, first taken from the keys service's signed
//!   answer, then rotated by the repository itself;
//! - `datastore/`: tough's record of the newest metadata and time seen, which is what makes
//!   a rollback (older metadata) or a clock set back refused across restarts;
//! - `rates -> rates-<snapshot version>`: the verified rate files of one snapshot, switched
//!   by renaming a symbolic link, so a counter reads one whole set or the other, with
//!   `signed-until`, the last day they may be priced with (the day before the targets
//!   metadata that listed them runs out).
//!
//! A station prices with `rates` when it exists (see [`installed_rates_dir`]); before its
//! first update it prices with the tables built into it.

mod installed;
pub mod progress;
mod software;
pub mod transport;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use tough::{ExpirationEnforcement, RepositoryLoader};

use crate::date::Date;
use crate::file_lock::FileLock;
use crate::protocol::updates::{
    CUSTOM_KEY, METADATA_PATH, Published, RATES_PREFIX, TARGETS_PATH, is_target_name,
};
use installed::RateFile;
pub use installed::{installed_rates_dir, installed_signed_until, installed_snapshot_version};
pub use software::Builds;
use software::{ReleaseFile, ReleaseOutcome};
use transport::{BASE, EndpointTransport};

/// Why an update check did not complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateErrorKind {
    /// No endpoint served the repository: try again at the next contact.
    Unreachable,
    /// What was served does not verify: a rollback, a frozen or expired timestamp, roles of
    /// mixed versions, a bad signature or hash. Nothing of it is used.
    Refused,
    /// This station's own files.
    Local,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UpdateError {
    kind: UpdateErrorKind,
    message: String,
}

impl UpdateError {
    pub fn kind(&self) -> UpdateErrorKind {
        self.kind
    }

    fn local(message: String) -> UpdateError {
        UpdateError {
            kind: UpdateErrorKind::Local,
            message,
        }
    }

    fn of_tough(error: tough::error::Error) -> UpdateError {
        use tough::error::Error as E;
        let kind = match &error {
            _ if unreachable(&error) => UpdateErrorKind::Unreachable,
            // The station's own clock or files, not what was served.
            E::SystemTimeSteppedBackward { .. }
            | E::ParseTrustedMetadata { .. }
            | E::VerifyTrustedMetadata { .. }
            | E::DatastoreInit { .. }
            | E::DatastoreCreate { .. }
            | E::DatastoreOpen { .. }
            | E::DatastoreRemove { .. }
            | E::DatastoreSerialize { .. }
            | E::DirCreate { .. } => UpdateErrorKind::Local,
            // Everything else is something served that does not verify (tough reports a
            // hash that does not match as a transport error too): fail closed.
            _ => UpdateErrorKind::Refused,
        };
        UpdateError {
            kind,
            message: format!("the update repository: {error}"),
        }
    }
}

/// The whole of `target`, as tough reads it: its length and hash checked against the signed
/// targets metadata as it streams, so bytes that do not match never come out.
async fn read_verified(
    repository: &tough::Repository,
    target: &tough::TargetName,
) -> Result<Vec<u8>, UpdateError> {
    use tough::IntoVec;
    let stream = repository
        .read_target(target)
        .await
        .map_err(UpdateError::of_tough)?
        .ok_or_else(|| UpdateError::local(format!("target {} vanished", target.raw())))?;
    stream.into_vec().await.map_err(UpdateError::of_tough)
}

/// Whether `error` comes from no endpoint serving a file at all.
fn unreachable(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<transport::EndpointsFailed>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// What a check found and did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateReport {
    /// The snapshot version the station now holds.
    pub snapshot_version: u64,
    /// Rate files fetched by this check (those the station held already, in the set in use
    /// or built in, are copied, not fetched; empty when nothing was new).
    pub rates_fetched: Vec<String>,
    /// Each rate file listed, with its earliest effective date.
    pub rates_listed: Vec<(String, Date)>,
    /// Software releases listed, as (version, platform).
    pub releases: Vec<(String, String)>,
    /// The release this check verified and staged, to be switched in at a quiet moment.
    pub release_staged: Option<String>,
    /// Why a release this station wants was not fetched by this check (over the modem, or
    /// waiting out a back-off after failed downloads).
    pub release_waits: Option<String>,
    /// Files asked for (a 404 included: how TUF learns there is no newer root).
    pub requests: u64,
    /// Their body bytes.
    pub body_bytes: u64,
    /// Whether they came over the backup modem (a release then waits for the Internet).
    pub over_modem: bool,
}

impl UpdateReport {
    /// One line for the contact log and the clerk.
    pub fn summary(&self) -> String {
        let installed = if self.rates_fetched.is_empty() {
            "rate files up to date".to_string()
        } else {
            format!(
                "fetched and installed rate files {}",
                self.rates_fetched.join(", ")
            )
        };
        let staged = self
            .release_staged
            .as_ref()
            .map(|version| format!("; release {version} staged"))
            .or_else(|| self.release_waits.as_ref().map(|why| format!("; {why}")))
            .unwrap_or_default();
        let line = if self.over_modem {
            " (over the modem)"
        } else {
            ""
        };
        format!(
            "update snapshot {}{line}: {installed}{staged}",
            self.snapshot_version
        )
    }
}

/// The folder of the station's updates.
pub fn updates_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("updates")
}

/// The root the station trusts, if it has taken one.
pub fn trusted_root(data_dir: &Path) -> Result<Option<Vec<u8>>, UpdateError> {
    let path = updates_dir(data_dir).join("root.json");
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(UpdateError::local(format!("{}: {e}", path.display()))),
    }
}

/// Takes `root_json` as the root to trust (a station's first, from a signed answer).
pub fn trust_root(data_dir: &Path, root_json: &[u8]) -> Result<(), UpdateError> {
    let dir = updates_dir(data_dir);
    crate::private_files::private_dir(&dir)
        .map_err(|e| UpdateError::local(format!("{}: {e}", dir.display())))?;
    installed::write_synced(&dir.join("root.json"), root_json)
}

/// Checks the repository through `transport` against the root trusted in `data_dir`, and
/// installs the rate files of its current snapshot unless they are installed already. The
/// data centre's agenda names the snapshot it has (`at_least`): a mirror serving an older
/// one, even validly signed, is refused. One check at a time per station (a folder lock).
pub async fn check(
    data_dir: &Path,
    transport: EndpointTransport,
    at_least: Option<u64>,
    builds: Builds,
) -> Result<UpdateReport, UpdateError> {
    let dir = updates_dir(data_dir);
    let datastore = dir.join("datastore");
    for folder in [&dir, &datastore] {
        crate::private_files::private_dir(folder)
            .map_err(|e| UpdateError::local(format!("{}: {e}", folder.display())))?;
    }
    // Waited for off the async threads: another check (`updates check` beside the counter)
    // may hold it for as long as its files take.
    let lock_dir = dir.clone();
    let _one_check = tokio::task::spawn_blocking(move || FileLock::take(&lock_dir))
        .await
        .map_err(|e| UpdateError::local(format!("{}: {e}", dir.display())))?
        .map_err(|e| UpdateError::local(format!("{}: {e}", dir.display())))?;
    let traffic = transport.traffic.clone();
    let repository = load(data_dir, &datastore, transport).await?;
    let snapshot_version = repository.snapshot().signed.version.get();
    let oldest = installed_snapshot_version(data_dir).max(at_least);
    if let Some(oldest) = oldest
        && oldest > snapshot_version
    {
        return Err(UpdateError {
            kind: UpdateErrorKind::Refused,
            message: format!(
                "the update repository serves snapshot {snapshot_version}, older than snapshot {oldest}, installed or named by the data centre"
            ),
        });
    }
    let (files, releases, mut report) = listing(&repository, snapshot_version)?;
    let set = installed::set_dir(&dir, snapshot_version);
    if !installed::set_is_whole(&set, &files) {
        // The last whole day the targets metadata that lists these files holds.
        let expires = repository.targets().signed.expires.as_millisecond();
        let last_day = crate::clock::day_of_unix_ms(expires).add_days(-1);
        let previous = installed_rates_dir(data_dir).ok().flatten();
        report.rates_fetched =
            installed::install(&repository, &files, &set, previous.as_deref(), last_day).await?;
    }
    installed::switch_to(&dir, &set)?;
    let over_modem = traffic.over_modem.load(Ordering::Relaxed);
    let staged = software::stage_newest(
        data_dir,
        repository,
        &releases,
        over_modem,
        snapshot_version,
        builds,
    );
    match staged.await? {
        ReleaseOutcome::NoneWanted => {}
        ReleaseOutcome::Staged(version) => report.release_staged = Some(version.to_string()),
        ReleaseOutcome::Waits(why) => report.release_waits = Some(why),
    }
    // Stated to the data centre from now on: a snapshot with a build left behind is not
    // handled, and the data centre's agenda asks for it again at the next contact.
    if report.release_waits.is_none() {
        progress::set_handled(data_dir, snapshot_version)?;
    }
    report.requests = traffic.requests.load(Ordering::Relaxed);
    report.body_bytes = traffic.body_bytes.load(Ordering::Relaxed);
    report.over_modem = traffic.over_modem.load(Ordering::Relaxed);
    Ok(report)
}

/// The repository, loaded by tough from the trusted root and its datastore; a newer root it
/// verified becomes the trusted one, so the next check starts from it.
async fn load(
    data_dir: &Path,
    datastore: &Path,
    transport: EndpointTransport,
) -> Result<tough::Repository, UpdateError> {
    let root = trusted_root(data_dir)?
        .ok_or_else(|| UpdateError::local("no update root is trusted yet".into()))?;
    let url = |path: &str| {
        reqwest::Url::parse(&format!("{BASE}{path}"))
            .map_err(|e| UpdateError::local(format!("{path}: {e}")))
    };
    let repository = RepositoryLoader::new(&root, url(METADATA_PATH)?, url(TARGETS_PATH)?)
        .transport(transport)
        .datastore(datastore)
        .expiration_enforcement(ExpirationEnforcement::Safe)
        .load()
        .await
        .map_err(UpdateError::of_tough)?;
    let trusted: Option<u64> = serde_json::from_slice::<serde_json::Value>(&root)
        .ok()
        .and_then(|v| v["signed"]["version"].as_u64());
    let served = repository.root();
    if trusted.is_none_or(|version| served.signed.version.get() > version) {
        let bytes = serde_json::to_vec_pretty(served)
            .map_err(|e| UpdateError::local(format!("the new root: {e}")))?;
        trust_root(data_dir, &bytes)?;
    }
    Ok(repository)
}

/// What the snapshot lists: the rate files to install, the builds, and the report's
/// listing. A rate target whose name or description this build cannot take fails the check:
/// an incomplete set of tables would price some products with older ones. A build this one
/// cannot read is passed over (with a line in the log): a later release may describe
/// builds in a way this one does not know.
fn listing(
    repository: &tough::Repository,
    snapshot_version: u64,
) -> Result<(Vec<RateFile>, Vec<ReleaseFile>, UpdateReport), UpdateError> {
    let mut report = UpdateReport {
        snapshot_version,
        rates_fetched: Vec::new(),
        rates_listed: Vec::new(),
        releases: Vec::new(),
        release_staged: None,
        release_waits: None,
        requests: 0,
        body_bytes: 0,
        over_modem: false,
    };
    let mut files = Vec::new();
    let mut builds = Vec::new();
    for (name, target) in repository.all_targets() {
        let refused = |why: String| UpdateError {
            kind: UpdateErrorKind::Refused,
            message: format!("the update repository's target {:?}: {why}", name.raw()),
        };
        let custom = target.custom.get(CUSTOM_KEY).cloned();
        let described = custom.map(serde_json::from_value::<Published>);
        match (name.raw().strip_prefix(RATES_PREFIX), described) {
            (Some(file), Some(Ok(Published::Rates { effective }))) => {
                let date = Date::parse(&effective).map_err(|e| refused(e.to_string()))?;
                if !is_target_name(file) || !file.ends_with(".toml") {
                    return Err(refused("not a rate file's name".into()));
                }
                report.rates_listed.push((file.to_string(), date));
                files.push(RateFile {
                    target: name.clone(),
                    file: file.to_string(),
                    sha256: target.hashes.sha256.to_vec(),
                });
            }
            (None, Some(Ok(Published::Software { version, platform }))) => {
                match version.parse() {
                    Ok(parsed) => builds.push(ReleaseFile {
                        target: name.clone(),
                        version: parsed,
                        platform: platform.clone(),
                        sha256: target.hashes.sha256.to_vec(),
                    }),
                    Err(e) => log::warn!("target {}: {e}", name.raw()),
                }
                report.releases.push((version, platform))
            }
            (Some(_), _) => return Err(refused("a rate file not described as one".into())),
            (None, Some(Err(e))) => log::warn!("target {}: {e}", name.raw()),
            (None, _) => {}
        }
    }
    report.rates_listed.sort();
    report.releases.sort();
    Ok((files, builds, report))
}
