//! A processing server's cryptographic module: it holds the signing keys of the central
//! PSDs and signs indicium data for them (claim 10), on its own thread so that signing for
//! one batch runs beside the store's work for the next.
//!
//! Keys come from the vendor's key store (PKCS#8 files, owner-only) and are loaded on first
//! use, so a PSD created by `postcounter admin psd-create` while the vendor runs is signed
//! for without a restart. Signatures are ECDSA P-256 over SHA-256 made by aws-lc, brought
//! to the low-S form that `Indicium::signature_is_valid` requires.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use tokio::sync::oneshot;

use crate::keys::KeyStore;

/// Bytes to sign for one PSD.
pub struct SignJob {
    pub psd_id: u32,
    pub message: Vec<u8>,
}

type SignReply = oneshot::Sender<Result<Vec<[u8; 64]>, String>>;

/// The handle the processing pool keeps; the module itself lives on its thread.
#[derive(Clone)]
pub struct CryptoModule {
    requests: mpsc::Sender<(Vec<SignJob>, SignReply)>,
}

impl CryptoModule {
    /// Starts a module that loads PSD keys from the key store at `keys_dir`.
    pub fn start(name: &str, keys_dir: PathBuf) -> std::io::Result<CryptoModule> {
        let (requests, inbox) = mpsc::channel::<(Vec<SignJob>, SignReply)>();
        std::thread::Builder::new()
            .name(format!("crypto-{name}"))
            .spawn(move || {
                let mut keys = ModuleKeys {
                    keys_dir,
                    loaded: HashMap::new(),
                    rng: SystemRandom::new(),
                };
                for (jobs, reply) in inbox {
                    let signed = jobs
                        .iter()
                        .map(|job| keys.sign(job.psd_id, &job.message))
                        .collect();
                    // The committer may have given up on this batch; nothing to do then.
                    let _ = reply.send(signed);
                }
            })?;
        Ok(CryptoModule { requests })
    }

    /// Signs every job, in order.
    pub async fn sign(&self, jobs: Vec<SignJob>) -> Result<Vec<[u8; 64]>, String> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send((jobs, reply))
            .map_err(|_| "the cryptographic module has stopped".to_string())?;
        answer
            .await
            .map_err(|_| "the cryptographic module has stopped".to_string())?
    }
}

struct ModuleKeys {
    keys_dir: PathBuf,
    loaded: HashMap<u32, EcdsaKeyPair>,
    rng: SystemRandom,
}

impl ModuleKeys {
    fn sign(&mut self, psd_id: u32, message: &[u8]) -> Result<[u8; 64], String> {
        if !self.loaded.contains_key(&psd_id) {
            let pair = load_key(&self.keys_dir, psd_id)?;
            self.loaded.insert(psd_id, pair);
        }
        let pair = self
            .loaded
            .get(&psd_id)
            .ok_or_else(|| format!("no key for PSD {psd_id}"))?;
        let signature = pair
            .sign(&self.rng, message)
            .map_err(|_| format!("signing for PSD {psd_id} failed"))?;
        let signature = p256::ecdsa::Signature::from_slice(signature.as_ref())
            .map_err(|_| format!("the signature for PSD {psd_id} is malformed"))?;
        let mut bytes = [0u8; 64];
        bytes.copy_from_slice(&signature.normalize_s().to_bytes());
        Ok(bytes)
    }
}

fn load_key(keys_dir: &std::path::Path, psd_id: u32) -> Result<EcdsaKeyPair, String> {
    let store = KeyStore::open(keys_dir).map_err(|e| e.to_string())?;
    let signer = store.psd_signer(psd_id).map_err(|e| e.to_string())?;
    let public = signer.certificate().public_key.to_sec1_point(false);
    EcdsaKeyPair::from_private_key_and_public_key(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &signer.key_bytes(),
        public.as_bytes(),
    )
    .map_err(|e| format!("the key of PSD {psd_id} is not usable: {e}"))
}
