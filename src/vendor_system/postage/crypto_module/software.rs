//! The software module: PSD keys from the data centre's key store (PKCS#8 files,
//! owner-only), loaded on first use, so a PSD created by `postcounter admin psd-create`
//! while the vendor runs is signed for without a restart. Signing is aws-lc's.

use std::collections::HashMap;
use std::path::PathBuf;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use p256::ecdsa::VerifyingKey;

use super::{Backend, ModuleError, ModuleErrorKind, ModuleKey, SignJob, low_s};
use crate::keys::KeyStore;

pub struct KeyFiles {
    keys_dir: PathBuf,
    /// Each PSD's key pair and the serial of the certificate beside it.
    loaded: HashMap<u32, (u32, EcdsaKeyPair)>,
    rng: SystemRandom,
}

impl KeyFiles {
    pub fn new(keys_dir: PathBuf) -> KeyFiles {
        KeyFiles {
            keys_dir,
            loaded: HashMap::new(),
            rng: SystemRandom::new(),
        }
    }

    fn no_key(&self, psd_id: u32, reason: impl std::fmt::Display) -> ModuleError {
        ModuleError::new(
            ModuleErrorKind::NoKey,
            format!(
                "the software module in {} holds no usable key for PSD {psd_id}: {reason}",
                self.keys_dir.display()
            ),
        )
    }

    /// Loads `psd_id`'s key pair, once.
    fn load(&mut self, psd_id: u32) -> Result<(), ModuleError> {
        if !self.loaded.contains_key(&psd_id) {
            let store = KeyStore::open(&self.keys_dir).map_err(|e| self.no_key(psd_id, e))?;
            let signer = store
                .psd_signer(psd_id)
                .map_err(|e| self.no_key(psd_id, e))?;
            let public = signer.certificate().public_key.to_sec1_point(false);
            let pair = EcdsaKeyPair::from_private_key_and_public_key(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &signer.key_bytes(),
                public.as_bytes(),
            )
            .map_err(|e| self.no_key(psd_id, e))?;
            self.loaded
                .insert(psd_id, (signer.certificate().serial, pair));
        }
        Ok(())
    }
}

impl Backend for KeyFiles {
    fn newest_key(&mut self, psd_id: u32) -> Result<Option<ModuleKey>, ModuleError> {
        let store = KeyStore::open(&self.keys_dir).map_err(|e| self.no_key(psd_id, e))?;
        if !store.has_psd(psd_id) {
            return Ok(None);
        }
        let signer = store
            .psd_signer(psd_id)
            .map_err(|e| self.no_key(psd_id, e))?;
        Ok(Some(ModuleKey {
            certificate_serial: signer.certificate().serial,
            public_key: signer.certificate().public_key,
        }))
    }

    fn generate(&mut self, psd_id: u32, _serial: u32) -> Result<VerifyingKey, ModuleError> {
        Err(ModuleError::new(
            ModuleErrorKind::CannotGenerate,
            format!(
                "the software module makes no keys: PSD {psd_id}'s key is made by `postcounter admin psd-create`"
            ),
        ))
    }

    fn sign(&mut self, job: &SignJob) -> Result<[u8; 64], ModuleError> {
        self.load(job.psd_id)?;
        let (serial, pair) = self
            .loaded
            .get(&job.psd_id)
            .ok_or_else(|| self.no_key(job.psd_id, "it was not loaded"))?;
        if *serial != job.certificate_serial {
            let held = *serial;
            return Err(self.no_key(
                job.psd_id,
                format!(
                    "its key file is certified under {held}, the message names {}",
                    job.certificate_serial
                ),
            ));
        }
        let signature = pair.sign(&self.rng, &job.message).map_err(|_| {
            ModuleError::new(
                ModuleErrorKind::Device,
                format!("signing for PSD {} failed", job.psd_id),
            )
        })?;
        low_s(signature.as_ref(), job.psd_id)
    }
}
