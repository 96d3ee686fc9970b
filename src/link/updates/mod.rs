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

pub mod transport;

use std::path::{Path, PathBuf};

use tough::{ExpirationEnforcement, IntoVec, RepositoryLoader, TargetName};

use crate::date::Date;
use crate::protocol::updates::{CUSTOM_KEY, METADATA_PATH, Published, RATES_PREFIX, TARGETS_PATH};
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
            E::DatastoreInit { .. }
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
    /// Rate files installed by this check (empty when they were already the current ones).
    pub rates_installed: Vec<String>,
    /// Each rate file listed, with its earliest effective date.
    pub rates_listed: Vec<(String, Date)>,
    /// Software releases listed, as (version, platform).
    pub releases: Vec<(String, String)>,
    /// Files asked for (a 404 included: how TUF learns there is no newer root).
    pub requests: u64,
    /// Their body bytes.
    pub body_bytes: u64,
}

impl UpdateReport {
    /// One line for the contact log and the clerk.
    pub fn summary(&self) -> String {
        let installed = if self.rates_installed.is_empty() {
            "rate files up to date".to_string()
        } else {
            format!("installed rate files {}", self.rates_installed.join(", "))
        };
        format!("update snapshot {}: {installed}", self.snapshot_version)
    }
}

/// The snapshot version whose rate files are installed, if any are.
pub fn installed_snapshot_version(data_dir: &Path) -> Option<u64> {
    let target = std::fs::read_link(updates_dir(data_dir).join("rates")).ok()?;
    target.to_str()?.strip_prefix("rates-")?.parse().ok()
}

/// The folder of the station's updates.
pub fn updates_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("updates")
}

/// The file in an installed set that holds the last day its signature holds.
const SIGNED_UNTIL_FILE: &str = "signed-until";

/// The verified rate files installed, when an update has installed any.
pub fn installed_rates_dir(data_dir: &Path) -> Option<PathBuf> {
    let link = updates_dir(data_dir).join("rates");
    link.is_dir().then_some(link)
}

/// The last day the installed rate files may be priced with: the day before the targets
/// metadata that listed them runs out.
pub fn installed_signed_until(rates_dir: &Path) -> Result<Date, UpdateError> {
    let path = rates_dir.join(SIGNED_UNTIL_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| UpdateError::local(format!("{}: {e}", path.display())))?;
    Date::parse(text.trim()).map_err(|e| UpdateError::local(format!("{}: {e}", path.display())))
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
    let path = dir.join("root.json");
    crate::keys::key_file::write_file_atomically(
        &path,
        root_json,
        0o600,
        crate::keys::key_file::Placement::Replace,
    )
    .map_err(|e| UpdateError::local(e.to_string()))
}

/// Checks the repository through `transport` against the root trusted in `data_dir`, and
/// installs the rate files of its current snapshot unless they are installed already.
pub async fn check(
    data_dir: &Path,
    transport: EndpointTransport,
) -> Result<UpdateReport, UpdateError> {
    let dir = updates_dir(data_dir);
    let root = trusted_root(data_dir)?
        .ok_or_else(|| UpdateError::local("no update root is trusted yet".into()))?;
    let datastore = dir.join("datastore");
    for folder in [&dir, &datastore] {
        crate::private_files::private_dir(folder)
            .map_err(|e| UpdateError::local(format!("{}: {e}", folder.display())))?;
    }
    let url = |path: &str| {
        reqwest::Url::parse(&format!("{BASE}{path}"))
            .map_err(|e| UpdateError::local(format!("{path}: {e}")))
    };
    let traffic = transport.traffic.clone();
    let repository = RepositoryLoader::new(&root, url(METADATA_PATH)?, url(TARGETS_PATH)?)
        .transport(transport)
        .datastore(datastore)
        .expiration_enforcement(ExpirationEnforcement::Safe)
        .load()
        .await
        .map_err(UpdateError::of_tough)?;
    let snapshot_version = repository.snapshot().signed.version.get();
    // tough's datastore refuses older metadata; the installed set is checked too, so a lost
    // or reset datastore cannot take the station back to older tables either.
    if let Some(installed) = installed_snapshot_version(data_dir)
        && installed > snapshot_version
    {
        return Err(UpdateError {
            kind: UpdateErrorKind::Refused,
            message: format!(
                "the update repository serves snapshot {snapshot_version}, older than the {installed} installed"
            ),
        });
    }
    let mut report = UpdateReport {
        snapshot_version,
        rates_installed: Vec::new(),
        rates_listed: Vec::new(),
        releases: Vec::new(),
        requests: 0,
        body_bytes: 0,
    };
    let mut rate_targets = Vec::new();
    for (name, target) in repository.all_targets() {
        let Some(custom) = target.custom.get(CUSTOM_KEY) else {
            continue;
        };
        match serde_json::from_value::<Published>(custom.clone()) {
            Ok(Published::Rates { effective }) => {
                let Some(file) = name.raw().strip_prefix(RATES_PREFIX) else {
                    continue;
                };
                // Signed by the data centre, so a bad date is its mistake: the file is still
                // installed (each table inside carries its own date), the date not shown.
                match Date::parse(&effective) {
                    Ok(date) => report.rates_listed.push((file.to_string(), date)),
                    Err(e) => log::warn!("target {}: {e}", name.raw()),
                }
                rate_targets.push(name.clone());
            }
            Ok(Published::Software { version, platform }) => {
                report.releases.push((version, platform))
            }
            Err(e) => log::warn!("target {}: {e}", name.raw()),
        }
    }
    report.rates_listed.sort();
    report.releases.sort();
    let set = dir.join(format!("rates-{snapshot_version}"));
    if !set.is_dir() {
        // The last whole day the targets metadata that lists these files holds.
        let expires = repository.targets().signed.expires.as_millisecond();
        let last_day = crate::clock::day_of_unix_ms(expires).add_days(-1);
        report.rates_installed = install_rates(&repository, &rate_targets, &set, last_day).await?;
    }
    switch_link(&dir.join("rates"), &set)?;
    report.requests = traffic.requests.load(std::sync::atomic::Ordering::Relaxed);
    report.body_bytes = traffic
        .body_bytes
        .load(std::sync::atomic::Ordering::Relaxed);
    Ok(report)
}

/// Writes each rate target, verified by tough as it is read, into `set` (made whole under
/// a temporary name, then renamed).
async fn install_rates(
    repository: &tough::Repository,
    names: &[TargetName],
    set: &Path,
    signed_until: Date,
) -> Result<Vec<String>, UpdateError> {
    let staging = set.with_extension("staging");
    let _ = std::fs::remove_dir_all(&staging);
    crate::private_files::private_dir(&staging)
        .map_err(|e| UpdateError::local(format!("{}: {e}", staging.display())))?;
    let mut installed = Vec::new();
    for name in names {
        let stream = repository
            .read_target(name)
            .await
            .map_err(UpdateError::of_tough)?
            .ok_or_else(|| UpdateError::local(format!("target {} vanished", name.raw())))?;
        let bytes = stream.into_vec().await.map_err(UpdateError::of_tough)?;
        let file = name.raw().trim_start_matches(RATES_PREFIX).to_string();
        let path = staging.join(&file);
        std::fs::write(&path, &bytes)
            .map_err(|e| UpdateError::local(format!("{}: {e}", path.display())))?;
        installed.push(file);
    }
    let until = staging.join(SIGNED_UNTIL_FILE);
    std::fs::write(&until, format!("{signed_until}\n"))
        .map_err(|e| UpdateError::local(format!("{}: {e}", until.display())))?;
    crate::private_files::sync_dir(&staging)
        .map_err(|e| UpdateError::local(format!("{}: {e}", staging.display())))?;
    std::fs::rename(&staging, set)
        .map_err(|e| UpdateError::local(format!("{}: {e}", set.display())))?;
    Ok(installed)
}

/// Points `link` at `set` atomically (a new link renamed over the old one).
fn switch_link(link: &Path, set: &Path) -> Result<(), UpdateError> {
    let target = set
        .file_name()
        .ok_or_else(|| UpdateError::local(format!("{} has no name", set.display())))?;
    if std::fs::read_link(link).is_ok_and(|current| current == Path::new(target)) {
        return Ok(());
    }
    let fresh = link.with_extension("new");
    let _ = std::fs::remove_file(&fresh);
    let io = |e: std::io::Error| UpdateError::local(format!("{}: {e}", link.display()));
    std::os::unix::fs::symlink(target, &fresh).map_err(io)?;
    std::fs::rename(&fresh, link).map_err(io)?;
    if let Some(parent) = link.parent() {
        crate::private_files::sync_dir(parent).map_err(io)?;
    }
    Ok(())
}
