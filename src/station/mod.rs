//! The station: everything a counter needs, opened from the config, created on first run.
//!
//! ```text
//! <data dir>/               mode 0700
//!   keys/                   see keys::store
//!   psd/ledger.sqlite       the embedded PSD's ledger (WAL)
//!   payments/payments.sqlite   postage accounts and the test card gateway's answers
//!   supervisor-pin          the supervisor PIN's salted digest (`postcounter pin set`)
//!   vendor/vendor.sqlite    the in-process vendor's store (see in_process)
//!   link/registration.json  the counter's registration with its vendor
//!   log/postcounter.log     the counter's log
//!   setup.lock              held while a station opens (see SetupLock)
//!   jobs/label/, jobs/receipt/   the virtual printers' ESC/POS captures and PNGs
//! ```
//! A fresh machine gets the directory, a vendor root key, a PSD key with its certificate and
//! a demo refill, and each step is reported as a note so the first run says what it made.
//! With no vendor configured, the station starts its own in [`in_process`]; [`sales`]
//! issues and voids through whichever PSD applies.

mod in_process;
mod sales;

pub use in_process::{InProcessVendor, LOCAL_ACCOUNT};

use std::fs;

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
    #[error("the in-process vendor: {0}")]
    Vendor(#[from] crate::vendor_system::VendorError),
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
    /// The vendor this process runs for itself, if any; it serves while the station lives.
    pub in_process: Option<InProcessVendor>,
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

    /// Opens the station with its link to the vendor (starting the in-process vendor when
    /// none is configured), creating what a first run needs. `today` is the issuing date
    /// used for a new certificate's validity.
    pub async fn open(config: Config, today: Date) -> Result<Station, StationError> {
        let setup = SetupLock::acquire(&config.data_dir)?;
        let mut station = Station::open_embedded(config, today, &setup).await?;
        let config = &station.config;
        let (endpoints, enrollment_code) = if !config.link.endpoints.is_empty() {
            (
                config.link.endpoints.clone(),
                config.link.enrollment_code.clone(),
            )
        } else if config.vendor.in_process {
            let started = in_process::start(config, &station.keys, today).await?;
            station.notes.extend(started.notes);
            let endpoint = started.vendor.endpoint().to_string();
            station.in_process = Some(started.vendor);
            (vec![endpoint], started.enrollment_code)
        } else {
            return Ok(station);
        };
        let link = open_link(config, endpoints, enrollment_code)?;
        station.notes.push(format!(
            "linked to the vendor at {}; the embedded PSD {} issues only when none answers",
            link.endpoints().join(", "),
            config.psd_id
        ));
        station.link = Some(link);
        Ok(station)
    }

    /// Opens the embedded PSD and the keys only: no link, no vendor (for `psd` commands).
    pub async fn open_local(config: Config, today: Date) -> Result<Station, StationError> {
        let setup = SetupLock::acquire(&config.data_dir)?;
        Station::open_embedded(config, today, &setup).await
    }

    /// The keys and the embedded PSD, created on a first run, under `setup`.
    async fn open_embedded(
        config: Config,
        today: Date,
        setup: &SetupLock,
    ) -> Result<Station, StationError> {
        let mut notes = Vec::new();
        let data_dir = config.data_dir.clone();
        if setup.created_data_dir {
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
        if let Some(validity_days) = ensure_psd_key(
            &keys,
            &config,
            config.psd_id,
            config.certificate_serial,
            today,
        )? {
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
        Ok(Station {
            config,
            keys,
            psd,
            link: None,
            in_process: None,
            notes,
        })
    }
}

/// Creates PSD `psd_id`'s key and a certificate valid from `today` for
/// `certificate_validity_years`, unless the key store has them; the days it is valid if it
/// made them.
pub fn ensure_psd_key(
    keys: &KeyStore,
    config: &Config,
    psd_id: u32,
    certificate_serial: u32,
    today: Date,
) -> Result<Option<i32>, StationError> {
    if keys.has_psd(psd_id) {
        return Ok(None);
    }
    let validity_days = config
        .certificate_validity_days()
        .map_err(StationError::Setup)?;
    keys.create_psd(
        psd_id,
        certificate_serial,
        today,
        today.add_days(validity_days),
    )?;
    Ok(Some(validity_days))
}

/// The link to the vendor at `endpoints`, with the rest of `[link]`'s settings.
fn open_link(
    config: &Config,
    endpoints: Vec<String>,
    enrollment_code: String,
) -> Result<CounterLink, StationError> {
    let settings = &config.link;
    let client = VendorClient::new(
        &endpoints,
        Duration::from_millis(settings.timeout_ms.clamp(100, 60_000)),
        settings.attempts,
        Clock::system(),
    )
    .map_err(|e| StationError::Setup(e.to_string()))?;
    let link_settings = LinkSettings {
        data_dir: config.data_dir.clone(),
        enrollment_code,
        counter_name: settings.counter_name.clone(),
        limits: OfflineLimits {
            max_value: settings.offline_max_value,
            max_days: settings.offline_max_days,
            inspection_window_days: settings.inspection_window_days,
        },
    };
    Ok(CounterLink::new(client, link_settings, Clock::system()))
}

/// Held while a station opens. Two processes starting at once on a fresh data directory
/// (a kiosk and a scripted `sell`) would otherwise both create the root key, and both run
/// the first migrations of the ledger and the stores, and one of them would fail.
struct SetupLock {
    _file: fs::File,
    created_data_dir: bool,
}

impl SetupLock {
    /// Creates the data directory if needed and waits for the lock.
    fn acquire(data_dir: &Path) -> Result<SetupLock, StationError> {
        let created_data_dir = !data_dir.exists();
        create_private_dir(data_dir)?;
        crate::private_files::private_subfolders(data_dir).map_err(|source| StationError::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join("setup.lock");
        let io = |source| StationError::Io {
            path: path.clone(),
            source,
        };
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        file.lock().map_err(io)?;
        Ok(SetupLock {
            _file: file,
            created_data_dir,
        })
    }
}

fn create_private_dir(path: &Path) -> Result<(), StationError> {
    crate::private_files::private_dir(path).map_err(|source| StationError::Io {
        path: path.to_path_buf(),
        source,
    })
}
