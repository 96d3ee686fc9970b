//! A processing server's cryptographic module (claims 10, 30, 50): it holds the signing keys
//! of the central PSDs and signs indicium data for them, on its own thread so that signing
//! for one batch runs beside the store's work for the next.
//!
//! Two kinds stand behind one handle. The software module (the embedded default) loads the
//! PSD keys that `postcounter admin psd-create` wrote to the data centre's key store; every
//! processing server shares them. A PKCS#11 module is a token of the server's own (labelled
//! with the server's name) in which the PSD keys are generated and never leave: each server
//! then signs under a certificate of its own for every PSD, and the indicium names it.
//! Signatures are ECDSA P-256 over SHA-256 in the low-S form that
//! `Indicium::signature_is_valid` requires, whoever made them.

mod pkcs11;
mod software;

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use p256::ecdsa::VerifyingKey;
use tokio::sync::oneshot;

/// Bytes to sign for one PSD, under the key its certificate `certificate_serial` certifies
/// (the serial the message itself carries).
pub struct SignJob {
    pub psd_id: u32,
    pub certificate_serial: u32,
    pub message: Vec<u8>,
}

/// A PSD key a module holds, and the certificate it was made for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleKey {
    pub certificate_serial: u32,
    pub public_key: VerifyingKey,
}

/// Which module every processing server of this vendor process signs through.
#[derive(Clone)]
pub enum ModuleKind {
    /// PSD keys from the data centre's key store (`<data dir>/vendor/keys`).
    Software { keys_dir: PathBuf },
    /// One token per processing server, found by its label (the server's name) in the
    /// PKCS#11 library at `library`, logged in with `user_pin`.
    Pkcs11 { library: PathBuf, user_pin: String },
}

impl std::fmt::Debug for ModuleKind {
    // By hand: the PIN must not reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModuleKind::Software { keys_dir } => write!(f, "Software {{ keys_dir: {keys_dir:?} }}"),
            ModuleKind::Pkcs11 { library, .. } => {
                write!(f, "Pkcs11 {{ library: {library:?}, user_pin: \"****\" }}")
            }
        }
    }
}

impl ModuleKind {
    /// Whether the module makes PSD keys itself (and so certifies a key per server).
    pub fn generates_keys(&self) -> bool {
        matches!(self, ModuleKind::Pkcs11 { .. })
    }

    /// Token modules in the PKCS#11 `library`, logged in with the user PIN in `pin_file`,
    /// which must be the owner's alone like every other secret at rest.
    pub fn pkcs11(library: PathBuf, pin_file: &Path) -> Result<ModuleKind, String> {
        let pin = std::fs::read_to_string(pin_file)
            .map_err(|e| format!("{}: {e}", pin_file.display()))?;
        if !crate::keys::store::is_owner_only(pin_file) {
            return Err(format!(
                "{} is readable by others: make it 0600",
                pin_file.display()
            ));
        }
        Ok(ModuleKind::Pkcs11 {
            library,
            user_pin: pin.trim_end_matches(['\r', '\n']).to_string(),
        })
    }

    /// A few words for logs and reports: `software` or `PKCS#11 (<library>)`.
    pub fn describe(&self) -> String {
        match self {
            ModuleKind::Software { .. } => "software (aws-lc P-256)".into(),
            ModuleKind::Pkcs11 { library, .. } => format!("PKCS#11 ({})", library.display()),
        }
    }
}

/// What went wrong in a module, by what the caller can do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleErrorKind {
    /// The module holds no key for that PSD and certificate.
    NoKey,
    /// The module cannot make keys (the software module's come from `admin psd-create`).
    CannotGenerate,
    /// The token or its library failed, or refused the login.
    Device,
    /// The module's thread has stopped.
    Stopped,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ModuleError {
    kind: ModuleErrorKind,
    message: String,
}

impl ModuleError {
    pub(crate) fn new(kind: ModuleErrorKind, message: impl Into<String>) -> ModuleError {
        ModuleError {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> ModuleErrorKind {
        self.kind
    }

    fn stopped() -> ModuleError {
        ModuleError::new(
            ModuleErrorKind::Stopped,
            "the cryptographic module has stopped",
        )
    }
}

/// What a module does, on its own thread.
trait Backend {
    /// The key for `psd_id` certified most recently (the highest serial), if any.
    fn newest_key(&mut self, psd_id: u32) -> Result<Option<ModuleKey>, ModuleError>;
    /// A new key for `psd_id`, to be certified under `certificate_serial`.
    fn generate(
        &mut self,
        psd_id: u32,
        certificate_serial: u32,
    ) -> Result<VerifyingKey, ModuleError>;
    fn sign(&mut self, job: &SignJob) -> Result<[u8; 64], ModuleError>;
}

type Reply<T> = oneshot::Sender<Result<T, ModuleError>>;

enum Request {
    Sign(Vec<SignJob>, Reply<Vec<[u8; 64]>>),
    NewestKey(u32, Reply<Option<ModuleKey>>),
    Generate(u32, u32, Reply<VerifyingKey>),
}

/// The handle the processing pool keeps; the module itself lives on its thread.
#[derive(Clone)]
pub struct CryptoModule {
    requests: mpsc::Sender<Request>,
}

impl CryptoModule {
    /// Starts processing server `name`'s module of `kind`: for a token, it is opened and
    /// logged in before this returns, so a missing token or a wrong PIN stops start-up.
    pub fn start(name: &str, kind: &ModuleKind) -> Result<CryptoModule, ModuleError> {
        let (requests, inbox) = mpsc::channel::<Request>();
        let (opened, open_result) = mpsc::channel::<Result<(), ModuleError>>();
        let kind = kind.clone();
        let token_label = name.to_string();
        std::thread::Builder::new()
            .name(format!("crypto-{name}"))
            .spawn(move || {
                let backend: Result<Box<dyn Backend>, ModuleError> = match kind {
                    ModuleKind::Software { keys_dir } => {
                        Ok(Box::new(software::KeyFiles::new(keys_dir)))
                    }
                    ModuleKind::Pkcs11 { library, user_pin } => {
                        pkcs11::Token::open(&library, &token_label, &user_pin)
                            .map(|token| Box::new(token) as Box<dyn Backend>)
                    }
                };
                let mut backend = match backend {
                    Ok(backend) => {
                        let _ = opened.send(Ok(()));
                        backend
                    }
                    Err(error) => {
                        let _ = opened.send(Err(error));
                        return;
                    }
                };
                serve(backend.as_mut(), inbox);
            })
            .map_err(|e| ModuleError::new(ModuleErrorKind::Device, e.to_string()))?;
        open_result.recv().map_err(|_| ModuleError::stopped())??;
        Ok(CryptoModule { requests })
    }

    /// Signs every job, in order.
    pub async fn sign(&self, jobs: Vec<SignJob>) -> Result<Vec<[u8; 64]>, ModuleError> {
        self.ask(|reply| Request::Sign(jobs, reply)).await
    }

    /// The key the module holds for `psd_id` with the highest certificate serial.
    pub async fn newest_key(&self, psd_id: u32) -> Result<Option<ModuleKey>, ModuleError> {
        self.ask(|reply| Request::NewestKey(psd_id, reply)).await
    }

    /// Generates a key for `psd_id` inside the module, named for `certificate_serial`.
    pub async fn generate(
        &self,
        psd_id: u32,
        certificate_serial: u32,
    ) -> Result<VerifyingKey, ModuleError> {
        self.ask(|reply| Request::Generate(psd_id, certificate_serial, reply))
            .await
    }

    async fn ask<T>(&self, request: impl FnOnce(Reply<T>) -> Request) -> Result<T, ModuleError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(request(reply))
            .map_err(|_| ModuleError::stopped())?;
        answer.await.map_err(|_| ModuleError::stopped())?
    }
}

fn serve(backend: &mut dyn Backend, inbox: mpsc::Receiver<Request>) {
    // A caller may have given up on its answer; nothing to do then.
    for request in inbox {
        match request {
            Request::Sign(jobs, reply) => {
                let _ = reply.send(jobs.iter().map(|job| backend.sign(job)).collect());
            }
            Request::NewestKey(psd_id, reply) => {
                let _ = reply.send(backend.newest_key(psd_id));
            }
            Request::Generate(psd_id, serial, reply) => {
                let _ = reply.send(backend.generate(psd_id, serial));
            }
        }
    }
}

/// `signature` (r‖s) in the low-S form verifiers require.
fn low_s(signature: &[u8], psd_id: u32) -> Result<[u8; 64], ModuleError> {
    let signature = p256::ecdsa::Signature::from_slice(signature).map_err(|_| {
        ModuleError::new(
            ModuleErrorKind::Device,
            format!("the signature for PSD {psd_id} is malformed"),
        )
    })?;
    let mut bytes = [0u8; 64];
    bytes.copy_from_slice(&signature.normalize_s().to_bytes());
    Ok(bytes)
}
