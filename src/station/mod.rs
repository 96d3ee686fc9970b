//! The station: everything a counter needs, opened from the config, created on first run.
//!
//! ```text
//! <data dir>/               mode 0700, and every folder in it
//!   keys/                   the embedded PSD's key and the trust (see psd::keyring); no root
//!   psd/ledger.sqlite       the embedded PSD's ledger (WAL): registers, lease, time floor
//!   payments/payments.sqlite   postage accounts and the test card gateway's answers
//!   supervisor-pin          the supervisor PIN's Argon2id hash (`postcounter pin set`)
//!   vendor/                 the in-process data centre: its store and its keys (see in_process)
//!   link/registration.json  the counter's registration with its data centre
//!   log/postcounter.log     the counter's log
//!   setup.lock              held while a station opens (see SetupLock)
//!   jobs/label/, jobs/receipt/   the virtual printers' ESC/POS captures and PNGs
//! ```
//! The station grants itself nothing: a first start enrolls with the data centre (the
//! in-process one when none is configured), which numbers and certifies the embedded PSD
//! and authorizes its first refill; each step is reported as a note, so the first run says
//! what it made. [`sales`] issues and voids through whichever PSD applies.

mod in_process;
mod sales;

pub use in_process::{InProcessVendor, LOCAL_ACCOUNT};

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::clock::Clock;
use crate::config::Config;
use crate::keys::KeyStoreError;
use crate::link::counter_link::LinkSettings;
use crate::link::{CounterLink, VendorClient, identity};
use crate::print::printer::{Printer, PrinterError};
use crate::psd::{Keyring, KeyringError, Ledger, Psd, PsdError};

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
    Keyring(#[from] KeyringError),
    #[error(transparent)]
    Link(#[from] crate::link::LinkError),
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
    /// The embedded PSD's keys and the trust the station holds (no root).
    pub keyring: Keyring,
    pub psd: Psd,
    /// The link to the data centre; `None` only for the `psd` commands, which open the
    /// embedded PSD alone.
    pub link: Option<CounterLink>,
    /// The vendor this process runs for itself, if any; it serves while the station lives.
    pub in_process: Option<InProcessVendor>,
    /// What the first run created (or what the audit found), for the operator to read.
    pub notes: Vec<String>,
}

impl Station {
    pub fn keys_dir(data_dir: &Path) -> PathBuf {
        Keyring::dir_in(data_dir)
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

    /// Opens the station with its link to its data centre (starting the in-process data
    /// centre when none is configured). A first start enrolls the counter, has its embedded
    /// PSD numbered and certified by the data centre's key management, and refills it through
    /// the data centre by `link.first_refill`: the data centre must be reachable then. Later
    /// starts open what the keyring holds, reachable or not.
    pub async fn open(config: Config) -> Result<Station, StationError> {
        let setup = SetupLock::acquire(&config.data_dir)?;
        let mut notes = first_run_notes(&config, &setup);
        let keyring = Keyring::open(&config.data_dir)?;
        let ledger = open_ledger(&config.data_dir).await?;
        let mut in_process = None;
        let (endpoints, enrollment_code) = if config.link.endpoints.is_empty() {
            let started = in_process::start(&config).await?;
            notes.extend(started.notes);
            let endpoint = started.vendor.endpoint().to_string();
            in_process = Some(started.vendor);
            (vec![endpoint], started.enrollment_code)
        } else {
            (
                config.link.endpoints.clone(),
                config.link.enrollment_code.clone(),
            )
        };
        let link = open_link(&config, endpoints, enrollment_code, keyring.clone())?;
        let first_contact = keyring.signer()?.is_none();
        let signer = link.embedded_signer().await.map_err(|e| {
            StationError::Setup(format!(
                "the embedded PSD has no certificate yet, and the data centre did not give one: {e}"
            ))
        })?;
        let registration = link.registration().await?;
        let license_number = registration.license_number;
        let mut config = config;
        if !registration.location_zip.is_empty() && registration.location_zip != config.origin_zip {
            // The data centre prices from the location it registered; quoting from another
            // would refuse every zone-priced piece as a price mismatch.
            notes.push(format!(
                "origin ZIP {} as the data centre registered this counter (origin_zip {} in the settings is not used)",
                registration.location_zip, config.origin_zip
            ));
            config.origin_zip = registration.location_zip.clone();
        }
        let (psd, audit) = Psd::open(ledger, signer, license_number).await?;
        notes.extend(audit_note(&psd, &audit));
        if first_contact {
            let certificate = psd.certificate();
            notes.push(format!(
                "first run: the data centre certified embedded PSD {} (certificate {}, valid to {}); this station holds no root key",
                certificate.psd_id, certificate.serial, certificate.valid_until
            ));
            let amount = config.link.first_refill;
            if amount.mills() > 0 {
                let refilled = link
                    .refill_embedded(&psd, &format!("first-refill-{}", psd.device_id()), amount)
                    .await?;
                notes.push(format!(
                    "first run: the data centre authorized a refill of {amount} of embedded PSD {} from the account (balance now {})",
                    psd.device_id(),
                    refilled.account_balance
                ));
            }
            // The first contact's lease: offline issuing is granted from the start.
            link.reconcile(&psd).await?;
        }
        notes.push(format!(
            "linked to the data centre at {}; the embedded PSD {} issues only when none answers, under its lease",
            link.endpoints().join(", "),
            psd.device_id()
        ));
        drop(setup);
        Ok(Station {
            config,
            keyring,
            psd,
            link: Some(link),
            in_process,
            notes,
        })
    }

    /// Opens the embedded PSD from the keyring only: no link, no data centre (for the `psd`
    /// commands). The PSD must have been certified by a start with its data centre.
    pub async fn open_local(config: Config) -> Result<Station, StationError> {
        let setup = SetupLock::acquire(&config.data_dir)?;
        let mut notes = first_run_notes(&config, &setup);
        let keyring = Keyring::open(&config.data_dir)?;
        let signer = keyring.signer()?.ok_or_else(|| {
            StationError::Setup(
                "this counter's embedded PSD is not certified yet: start the counter once with its data centre reachable (`postcounter` or `postcounter sell`)".into(),
            )
        })?;
        let license_number = identity::saved_registration(&config.data_dir)
            .map_err(|e| StationError::Setup(e.to_string()))?
            .map(|registration| registration.license_number)
            .ok_or_else(|| StationError::Setup("this counter is not registered yet".into()))?;
        let ledger = open_ledger(&config.data_dir).await?;
        let (psd, audit) = Psd::open(ledger, signer, license_number).await?;
        notes.extend(audit_note(&psd, &audit));
        drop(setup);
        Ok(Station {
            config,
            keyring,
            psd,
            link: None,
            in_process: None,
            notes,
        })
    }
}

fn first_run_notes(config: &Config, setup: &SetupLock) -> Vec<String> {
    let mut notes = Vec::new();
    if setup.created_data_dir {
        notes.push(format!(
            "first run: created the data directory {}",
            config.data_dir.display()
        ));
    }
    notes
}

async fn open_ledger(data_dir: &Path) -> Result<Ledger, StationError> {
    let ledger_path = Station::ledger_path(data_dir);
    if let Some(parent) = ledger_path.parent() {
        create_private_dir(parent)?;
    }
    Ok(Ledger::open(&ledger_path).await?)
}

/// What an audit that found discrepancies says (the PSD is locked then).
fn audit_note(psd: &Psd, audit: &crate::psd::Audit) -> Option<String> {
    (!audit.discrepancies.is_empty()).then(|| {
        format!(
            "PSD {} is locked: {}",
            psd.device_id(),
            audit.discrepancies.join("; ")
        )
    })
}

/// The link to the data centre at `endpoints`, with the rest of `[link]`'s settings.
fn open_link(
    config: &Config,
    endpoints: Vec<String>,
    enrollment_code: String,
    keyring: Keyring,
) -> Result<CounterLink, StationError> {
    let settings = &config.link;
    let mut client = VendorClient::new(
        &endpoints,
        Duration::from_millis(settings.timeout_ms.clamp(100, 60_000)),
        settings.attempts,
        Clock::system(),
    )
    .map_err(|e| StationError::Setup(e.to_string()))?;
    if !settings.data_centre_ca.is_empty() {
        let path = Path::new(&settings.data_centre_ca);
        let pem = fs::read(path).map_err(|source| StationError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        client = client.trusting_only(&pem).map_err(|e| {
            StationError::Setup(format!("link.data_centre_ca {}: {e}", path.display()))
        })?;
    }
    let modem = &settings.modem;
    if !modem.device.is_empty() {
        client = client.with_modem(std::sync::Arc::new(crate::modem::dialer::Modem::new(
            modem_settings(modem)?,
        )));
    }
    let link_settings = LinkSettings {
        data_dir: config.data_dir.clone(),
        enrollment_code,
        counter_name: settings.counter_name.clone(),
        keyring,
        certificate_renew_days: settings.certificate_renew_days,
        first_refill: settings.first_refill,
    };
    Ok(CounterLink::new(client, link_settings, Clock::system()))
}

/// `[link.modem]` checked: a number to dial, a serial rate the port takes, a bounded retry.
fn modem_settings(
    modem: &crate::config::ModemConfig,
) -> Result<crate::modem::dialer::ModemSettings, StationError> {
    let refused = |key: &str, value: String, accepted: &str| {
        StationError::Setup(format!(
            "link.modem.{key} {value:?} is not accepted: {accepted}"
        ))
    };
    let number_ok = !modem.number.is_empty()
        && modem.number.len() <= 40
        && modem
            .number
            .chars()
            .all(|c| c.is_ascii_digit() || ",*#W".contains(c));
    if !number_ok {
        return Err(refused(
            "number",
            modem.number.clone(),
            "the data centre's number: digits and , * # W, at most 40",
        ));
    }
    if !modem.init.is_empty()
        && (!modem.init.to_ascii_uppercase().starts_with("AT")
            || !modem.init.chars().all(|c| c.is_ascii_graphic() || c == ' '))
    {
        return Err(refused(
            "init",
            modem.init.clone(),
            "an AT command, e.g. AT&F E0 V1",
        ));
    }
    if !crate::serial_port::SUPPORTED_BAUD_RATES.contains(&modem.baud) {
        return Err(refused(
            "baud",
            modem.baud.to_string(),
            &format!("one of {:?}", crate::serial_port::SUPPORTED_BAUD_RATES),
        ));
    }
    if !(1..=10).contains(&modem.attempts) {
        return Err(refused("attempts", modem.attempts.to_string(), "1 to 10"));
    }
    Ok(crate::modem::dialer::ModemSettings {
        device: modem.device.clone(),
        number: modem.number.clone(),
        init: modem.init.clone(),
        baud: modem.baud,
        attempts: modem.attempts,
        backoff: Duration::from_millis(modem.backoff_ms.clamp(10, 60_000)),
        answer_timeout: Duration::from_secs(modem.answer_timeout_s.clamp(1, 300)),
    })
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
