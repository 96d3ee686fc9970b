//! A PKCS#11 token as a processing server's cryptographic module (claims 10, 30, 50).
//!
//! Each processing server has a token of its own, found by its label (the server's name).
//! A PSD key is generated inside the token as a sensitive, non-extractable P-256 key pair
//! and is named by its PSD and the certificate serial reserved for it (`CKA_ID` = PSD id ‖
//! serial, big-endian), so the token itself says which certificate each of its keys was made
//! for. The token signs the SHA-256 digest of each message with `CKM_ECDSA` (the mechanism
//! every token has, SoftHSM2 among them); the hash is computed here.
//!
//! A library is initialized once per process and kept: `C_Initialize` may not be called twice,
//! and several pools (the vendor's, `loadtest`'s ceiling) open sessions on it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use p256::ecdsa::VerifyingKey;
use sha2::{Digest, Sha256};

use super::{Backend, ModuleError, ModuleErrorKind, ModuleKey, SignJob, low_s};

/// DER of the named curve prime256v1 (OID 1.2.840.10045.3.1.7), for `CKA_EC_PARAMS`.
const P256_PARAMS_DER: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

static LIBRARIES: LazyLock<Mutex<HashMap<PathBuf, Pkcs11>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn device(what: impl std::fmt::Display) -> ModuleError {
    ModuleError::new(ModuleErrorKind::Device, what.to_string())
}

/// The library at `path`, loaded and initialized on first use in this process.
fn library(path: &Path) -> Result<Pkcs11, ModuleError> {
    let mut libraries = LIBRARIES
        .lock()
        .map_err(|_| device("the PKCS#11 library table is poisoned"))?;
    if let Some(loaded) = libraries.get(path) {
        return Ok(loaded.clone());
    }
    let loaded = Pkcs11::new(path).map_err(|e| {
        device(format!(
            "cannot load the PKCS#11 library {}: {e}",
            path.display()
        ))
    })?;
    match loaded.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => {
            return Err(device(format!(
                "cannot initialize the PKCS#11 library {}: {e}",
                path.display()
            )));
        }
    }
    libraries.insert(path.to_path_buf(), loaded.clone());
    Ok(loaded)
}

pub struct Token {
    label: String,
    session: Session,
    /// Private key handles by `(psd_id, certificate_serial)`.
    private_keys: HashMap<(u32, u32), ObjectHandle>,
}

impl Token {
    /// Opens the token labelled `label` in `library` and logs in as its user.
    pub fn open(library_path: &Path, label: &str, user_pin: &str) -> Result<Token, ModuleError> {
        let pkcs11 = library(library_path)?;
        let mut labels = Vec::new();
        let mut found = None;
        for slot in pkcs11.get_slots_with_initialized_token().map_err(device)? {
            let info = pkcs11.get_token_info(slot).map_err(device)?;
            let slot_label = info.label().trim_end().to_string();
            if slot_label == label {
                found = Some(slot);
            }
            labels.push(slot_label);
        }
        let slot = found.ok_or_else(|| {
            device(format!(
                "no PKCS#11 token labelled {label:?} in {} (tokens: {labels:?}); give processing server {label:?} a token of its own, e.g. `softhsm2-util --init-token --free --label {label}`",
                library_path.display()
            ))
        })?;
        let session = pkcs11.open_rw_session(slot).map_err(device)?;
        match session.login(UserType::User, Some(&AuthPin::from(user_pin.to_string()))) {
            // Another pool in this process logged in to this token already.
            Ok(()) | Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => {
                return Err(device(format!(
                    "the PKCS#11 token {label:?} refused the user PIN: {e}"
                )));
            }
        }
        Ok(Token {
            label: label.to_string(),
            session,
            private_keys: HashMap::new(),
        })
    }

    fn psd_label(psd_id: u32) -> Vec<u8> {
        format!("postcounter PSD {psd_id}").into_bytes()
    }

    fn key_id(psd_id: u32, serial: u32) -> Vec<u8> {
        [psd_id.to_be_bytes(), serial.to_be_bytes()].concat()
    }

    fn private_key(&mut self, psd_id: u32, serial: u32) -> Result<ObjectHandle, ModuleError> {
        if let Some(handle) = self.private_keys.get(&(psd_id, serial)) {
            return Ok(*handle);
        }
        let found = self
            .session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(Token::key_id(psd_id, serial)),
            ])
            .map_err(device)?;
        let handle = *found.first().ok_or_else(|| {
            ModuleError::new(
                ModuleErrorKind::NoKey,
                format!(
                    "the PKCS#11 token {:?} holds no key for PSD {psd_id} under certificate {serial}",
                    self.label
                ),
            )
        })?;
        self.private_keys.insert((psd_id, serial), handle);
        Ok(handle)
    }

    fn public_key(&self, handle: ObjectHandle) -> Result<(Vec<u8>, VerifyingKey), ModuleError> {
        let attributes = self
            .session
            .get_attributes(handle, &[AttributeType::Id, AttributeType::EcPoint])
            .map_err(device)?;
        let (mut id, mut point) = (None, None);
        for attribute in attributes {
            match attribute {
                Attribute::Id(bytes) => id = Some(bytes),
                Attribute::EcPoint(bytes) => point = Some(bytes),
                _ => {}
            }
        }
        let (Some(id), Some(point)) = (id, point) else {
            return Err(device(format!(
                "a key in the PKCS#11 token {:?} has no id or no EC point",
                self.label
            )));
        };
        Ok((id, public_key_of(&point).map_err(device)?))
    }
}

/// The public key in a `CKA_EC_POINT`: a DER OCTET STRING around the SEC1 point (PKCS#11
/// 2.40), or the bare point (some older tokens).
fn public_key_of(ec_point: &[u8]) -> Result<VerifyingKey, String> {
    let sec1 = match ec_point {
        [0x04, 0x41, rest @ ..] if rest.len() == 0x41 => rest,
        bare => bare,
    };
    VerifyingKey::from_sec1_bytes(sec1).map_err(|_| "a token key is not a P-256 point".into())
}

impl Backend for Token {
    fn newest_key(&mut self, psd_id: u32) -> Result<Option<ModuleKey>, ModuleError> {
        let publics = self
            .session
            .find_objects(&[
                Attribute::Class(ObjectClass::PUBLIC_KEY),
                Attribute::Label(Token::psd_label(psd_id)),
            ])
            .map_err(device)?;
        let mut newest: Option<ModuleKey> = None;
        for handle in publics {
            let (id, public_key) = self.public_key(handle)?;
            let serial = match id.as_slice() {
                [a, b, c, d, e, f, g, h] if u32::from_be_bytes([*a, *b, *c, *d]) == psd_id => {
                    u32::from_be_bytes([*e, *f, *g, *h])
                }
                _ => continue,
            };
            // A public key whose private half is missing cannot sign: not a key of this PSD.
            if self.private_key(psd_id, serial).is_err() {
                continue;
            }
            if newest
                .as_ref()
                .is_none_or(|key| key.certificate_serial < serial)
            {
                newest = Some(ModuleKey {
                    certificate_serial: serial,
                    public_key,
                });
            }
        }
        Ok(newest)
    }

    fn generate(&mut self, psd_id: u32, serial: u32) -> Result<VerifyingKey, ModuleError> {
        let label = Token::psd_label(psd_id);
        let id = Token::key_id(psd_id, serial);
        let public_template = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::KeyType(KeyType::EC),
            Attribute::EcParams(P256_PARAMS_DER.to_vec()),
            Attribute::Verify(true),
            Attribute::Label(label.clone()),
            Attribute::Id(id.clone()),
        ];
        let private_template = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Label(label),
            Attribute::Id(id),
        ];
        let (public, private) = self
            .session
            .generate_key_pair(
                &Mechanism::EccKeyPairGen,
                &public_template,
                &private_template,
            )
            .map_err(|e| {
                device(format!(
                    "the PKCS#11 token {:?} could not generate a key for PSD {psd_id}: {e}",
                    self.label
                ))
            })?;
        self.private_keys.insert((psd_id, serial), private);
        Ok(self.public_key(public)?.1)
    }

    fn sign(&mut self, job: &SignJob) -> Result<[u8; 64], ModuleError> {
        let key = self.private_key(job.psd_id, job.certificate_serial)?;
        let digest = Sha256::digest(&job.message);
        let signature = self
            .session
            .sign(&Mechanism::Ecdsa, key, &digest)
            .map_err(|e| {
                device(format!(
                    "the PKCS#11 token {:?} could not sign for PSD {}: {e}",
                    self.label, job.psd_id
                ))
            })?;
        low_s(&signature, job.psd_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::SigningKey;

    #[test]
    fn an_ec_point_is_read_wrapped_in_der_or_bare() {
        let key = *SigningKey::from_slice(&[7u8; 32]).unwrap().verifying_key();
        let point = key.to_sec1_point(false);
        let wrapped = [&[0x04, 65][..], point.as_bytes()].concat();
        assert_eq!(public_key_of(&wrapped).unwrap(), key);
        assert_eq!(public_key_of(point.as_bytes()).unwrap(), key);
        assert!(public_key_of(&[0x04, 0x41, 1, 2]).is_err());
    }
}
