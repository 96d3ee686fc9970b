//! The station: everything a counter needs, opened from the config, created on first run.
//!
//! ```text
//! <data dir>/               mode 0700
//!   keys/                   see keys::store
//!   psd/ledger.sqlite       the embedded PSD's ledger (WAL)
//!   payments/payments.sqlite   postage accounts and the test card gateway's answers
//!   supervisor-pin          the supervisor PIN's salted digest (`postcounter pin set`)
//!   log/postcounter.log     the counter's log
//!   jobs/label/, jobs/receipt/   the virtual printers' ESC/POS captures and PNGs
//! ```
//! A fresh machine gets the directory, a vendor root key, a PSD key with its certificate and
//! a demo refill, and each step is reported as a note so the first run says what it made.

use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use std::time::Duration;

use crate::clock::Clock;
use crate::config::Config;
use crate::date::Date;
use crate::keys::{KeyStore, KeyStoreError};
use crate::link::counter_link::LinkSettings;
use crate::link::{CounterLink, OfflineLimits, VendorClient};
use crate::print::printer::{Printer, PrinterError};
use crate::psd::{Ledger, Psd, PsdError};

#[derive(Debug, thiserror::Error)]
pub enum StationError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Keys(#[from] KeyStoreError),
    #[error(transparent)]
    Psd(#[from] PsdError),
    #[error("{0}")]
    Setup(String),
}

/// Which of the station's printers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrinterRole {
    Label,
    Receipt,
}

impl PrinterRole {
    pub fn name(self) -> &'static str {
        match self {
            PrinterRole::Label => "label",
            PrinterRole::Receipt => "receipt",
        }
    }
}

pub struct Station {
    pub config: Config,
    pub keys: KeyStore,
    pub psd: Psd,
    /// The link to the postage vendor; `None` for a stand-alone counter.
    pub link: Option<CounterLink>,
    /// What the first run created (or what the audit found), for the operator to read.
    pub notes: Vec<String>,
}

impl Station {
    pub fn keys_dir(data_dir: &Path) -> PathBuf {
        data_dir.join("keys")
    }

    pub fn ledger_path(data_dir: &Path) -> PathBuf {
        data_dir.join("psd").join("ledger.sqlite")
    }

    /// The card gateway's answers and the postage accounts.
    pub fn payments_path(data_dir: &Path) -> PathBuf {
        data_dir.join("payments").join("payments.sqlite")
    }

    pub fn jobs_dir(data_dir: &Path, printer: &str) -> PathBuf {
        data_dir.join("jobs").join(printer)
    }

    /// Opens the configured printer for `role`; virtual jobs go to `jobs/<role>/`.
    pub fn open_printer(&self, role: PrinterRole) -> Result<Printer, PrinterError> {
        let printers = &self.config.printer;
        let setting = match role {
            PrinterRole::Label => &printers.label,
            PrinterRole::Receipt => &printers.receipt,
        };
        let jobs = Self::jobs_dir(&self.config.data_dir, role.name());
        Printer::open(&setting.profile, &setting.transport, &jobs)
    }

    /// Opens the station, creating what a first run needs. `today` is the issuing date used
    /// for a new certificate's validity.
    pub async fn open(config: Config, today: Date) -> Result<Station, StationError> {
        let mut notes = Vec::new();
        let data_dir = config.data_dir.clone();
        if !data_dir.exists() {
            create_private_dir(&data_dir)?;
            notes.push(format!(
                "first run: created the data directory {}",
                data_dir.display()
            ));
        }
        let keys = KeyStore::open(&Self::keys_dir(&data_dir))?;
        if !keys.has_root() {
            keys.create_root()?;
            notes.push(format!(
                "first run: created the vendor root key; verifiers trust {}",
                keys.root_public_path().display()
            ));
        }
        if !keys.has_psd(config.psd_id) {
            let validity_days = i32::try_from(config.certificate_validity_years)
                .ok()
                .filter(|years| (1..=20).contains(years))
                .map(|years| years * 365)
                .ok_or_else(|| {
                    StationError::Setup(format!(
                        "certificate_validity_years {} is not accepted: expected 1 to 20",
                        config.certificate_validity_years
                    ))
                })?;
            keys.create_psd(
                config.psd_id,
                config.certificate_serial,
                today,
                today.add_days(validity_days),
            )?;
            notes.push(format!(
                "first run: created PSD {} with certificate {} (valid {validity_days} days)",
                config.psd_id, config.certificate_serial
            ));
        }
        let signer = keys.psd_signer(config.psd_id)?;
        let ledger_path = Self::ledger_path(&data_dir);
        if let Some(parent) = ledger_path.parent() {
            create_private_dir(parent)?;
        }
        let ledger = Ledger::open(&ledger_path).await?;
        let (psd, audit) = Psd::open(ledger, signer, config.license_number).await?;
        if !audit.discrepancies.is_empty() {
            notes.push(format!(
                "PSD {} is locked: {}",
                config.psd_id,
                audit.discrepancies.join("; ")
            ));
        }
        let state = psd.state().await?;
        if state.registers.control_total.mills() == 0
            && state.registers.piece_count == 0
            && config.demo_refill.mills() > 0
        {
            let refill = psd
                .refill(
                    &format!("demo-refill-{}", config.psd_id),
                    config.demo_refill,
                )
                .await?;
            if !refill.replayed {
                notes.push(format!(
                    "first run: credited a demo refill of {} to PSD {}",
                    config.demo_refill, config.psd_id
                ));
            }
        }
        let link = open_link(&config)?;
        if let Some(link) = &link {
            notes.push(format!(
                "linked to the vendor at {}; the embedded PSD {} issues only when none answers",
                link.endpoints().join(", "),
                config.psd_id
            ));
        }
        Ok(Station {
            config,
            keys,
            psd,
            link,
            notes,
        })
    }
}

/// The link to the vendor named in `[link]`, if any.
fn open_link(config: &Config) -> Result<Option<CounterLink>, StationError> {
    let settings = &config.link;
    if settings.endpoints.is_empty() {
        return Ok(None);
    }
    let client = VendorClient::new(
        &settings.endpoints,
        Duration::from_millis(settings.timeout_ms.clamp(100, 60_000)),
        settings.attempts,
        Clock::system(),
    )
    .map_err(|e| StationError::Setup(e.to_string()))?;
    let link_settings = LinkSettings {
        data_dir: config.data_dir.clone(),
        enrollment_code: settings.enrollment_code.clone(),
        counter_name: settings.counter_name.clone(),
        limits: OfflineLimits {
            max_value: settings.offline_max_value,
            max_days: settings.offline_max_days,
            inspection_window_days: settings.inspection_window_days,
        },
    };
    Ok(Some(CounterLink::new(
        client,
        link_settings,
        Clock::system(),
    )))
}

fn create_private_dir(path: &Path) -> Result<(), StationError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|source| StationError::Io {
            path: path.to_path_buf(),
            source,
        })
}
