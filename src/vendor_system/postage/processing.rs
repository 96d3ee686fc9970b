//! The processing servers (claims 7-10): the vendor keeps their list in its store and hands
//! each purchase to one of them, chosen by a selection procedure; the chosen server's
//! cryptographic module signs the indicia.
//!
//! Within one vendor process a processing server is a signing lane: its own module on its
//! own thread, so the lanes sign in parallel. Scaling beyond one machine is done by running
//! several vendor processes over one PostgreSQL store, each with every enabled server's lane.
//! Round-robin is the default procedure; [`SelectionProcedure`] is the seam for others.
//!
//! Each lane signs under the certificate its module's key has for a PSD: the PSD's one
//! certificate with the software module, a certificate per server with tokens (their keys
//! cannot be shared). The pool keeps which serial each lane uses for each PSD
//! ([`LaneCertificates`]); key management fills it in (`keys::module_keys`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use super::crypto_module::{CryptoModule, ModuleKind, SignJob};
use crate::date::Date;
use crate::protocol::ProcessingServerRef;
use crate::vendor_system::error::VendorError;

/// A row of the `processing_server` table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessingServerRow {
    pub server_id: u32,
    pub name: String,
    pub enabled: bool,
}

/// Picks the index of the server for the next request among `count` enabled servers.
pub trait SelectionProcedure: Send + Sync {
    fn select(&self, count: usize) -> usize;
}

/// Each server in turn (claim 9).
#[derive(Default)]
pub struct RoundRobin {
    next: AtomicUsize,
}

impl SelectionProcedure for RoundRobin {
    fn select(&self, count: usize) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed) % count.max(1)
    }
}

struct Lane {
    server: ProcessingServerRef,
    module: CryptoModule,
}

/// The certificate each lane signs under, by `(lane, psd_id)`: its serial and last day of
/// validity; plain data, taken whole by each batch.
#[derive(Clone, Debug, Default)]
pub struct LaneCertificates(HashMap<(usize, u32), (u32, Date)>);

impl LaneCertificates {
    /// The serial `lane` signs for `psd_id` under, however long it is valid.
    pub fn serial(&self, lane: usize, psd_id: u32) -> Option<u32> {
        self.0.get(&(lane, psd_id)).map(|(serial, _)| *serial)
    }
}

/// The certifications one batch was refused (a key file whose certificate ends too soon),
/// by `(lane, psd_id)`, with the date it was asked through: only the purchases that need
/// one are refused, not the batch. Kept for that batch alone; the next one asks again.
#[derive(Debug, Default)]
pub struct RefusedCertifications(HashMap<(usize, u32), (Date, VendorError)>);

impl RefusedCertifications {
    /// Records that certifying `lane` for `psd_id` through `date` was refused with `why`.
    pub fn refuse(&mut self, lane: usize, psd_id: u32, date: Date, why: VendorError) {
        self.0.insert((lane, psd_id), (date, why));
    }
}

/// What a batch signs with: the lanes' certificates and the certifications it was refused.
#[derive(Clone, Copy)]
pub struct BatchCertificates<'a> {
    pub held: &'a LaneCertificates,
    pub refused: &'a RefusedCertifications,
}

/// How `lane` signs a purchase for a PSD through a date of mailing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LaneSigning {
    Under(u32),
    /// Certification through that date was refused, and why.
    Refused(VendorError),
    /// Not known yet: the lane is to be certified first.
    Uncertified,
}

impl BatchCertificates<'_> {
    /// How `lane` signs for `psd_id` a piece mailed on or before `date`.
    pub fn signing(&self, lane: usize, psd_id: u32, date: Date) -> LaneSigning {
        if let Some((serial, valid_until)) = self.held.0.get(&(lane, psd_id))
            && date <= *valid_until
        {
            return LaneSigning::Under(*serial);
        }
        match self.refused.0.get(&(lane, psd_id)) {
            Some((refused_through, why)) if *refused_through <= date => {
                LaneSigning::Refused(why.clone())
            }
            _ => LaneSigning::Uncertified,
        }
    }
}

pub struct ProcessingPool {
    lanes: Vec<Lane>,
    procedure: Box<dyn SelectionProcedure>,
    kind: ModuleKind,
    certificates: RwLock<Arc<LaneCertificates>>,
}

impl ProcessingPool {
    /// One lane per enabled server in `rows`, each with a module of `kind`; refuses to start
    /// with none, or when a server's module does not open.
    pub fn start(
        rows: &[ProcessingServerRow],
        kind: &ModuleKind,
        procedure: Box<dyn SelectionProcedure>,
    ) -> Result<ProcessingPool, String> {
        let mut lanes = Vec::new();
        for row in rows.iter().filter(|row| row.enabled) {
            let module = CryptoModule::start(&row.name, kind)
                .map_err(|e| format!("cannot start processing server {}: {e}", row.name))?;
            lanes.push(Lane {
                server: ProcessingServerRef {
                    id: row.server_id,
                    name: row.name.clone(),
                },
                module,
            });
        }
        if lanes.is_empty() {
            return Err(
                "no processing server is enabled; add one with `postcounter admin server add`"
                    .into(),
            );
        }
        Ok(ProcessingPool {
            lanes,
            procedure,
            kind: kind.clone(),
            certificates: RwLock::default(),
        })
    }

    pub fn kind(&self) -> &ModuleKind {
        &self.kind
    }

    /// The serials each lane signs under, as known now.
    pub fn certificates(&self) -> Arc<LaneCertificates> {
        match self.certificates.read() {
            Ok(held) => held.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Records that `lane` signs for `psd_id` under `serial`, valid until `valid_until`,
    /// from now on.
    pub fn remember(&self, lane: usize, psd_id: u32, serial: u32, valid_until: Date) {
        let lane = lane % self.lanes.len();
        let mut held = match self.certificates.write() {
            Ok(held) => held,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut next = LaneCertificates::clone(&held);
        next.0.insert((lane, psd_id), (serial, valid_until));
        *held = Arc::new(next);
    }

    pub fn module(&self, lane: usize) -> &CryptoModule {
        &self.lanes[lane % self.lanes.len()].module
    }

    pub fn len(&self) -> usize {
        self.lanes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lanes.is_empty()
    }

    /// The lane for the next request, by the selection procedure.
    pub fn select(&self) -> usize {
        self.procedure.select(self.lanes.len())
    }

    pub fn server(&self, lane: usize) -> &ProcessingServerRef {
        &self.lanes[lane % self.lanes.len()].server
    }

    /// Signs `jobs` on `lane`'s module.
    pub async fn sign(
        &self,
        lane: usize,
        jobs: Vec<SignJob>,
    ) -> Result<Vec<[u8; 64]>, VendorError> {
        let lane = &self.lanes[lane % self.lanes.len()];
        lane.module.sign(jobs).await.map_err(|reason| {
            VendorError::storage(format!("processing server {}: {reason}", lane.server.name))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_takes_each_server_in_turn() {
        let procedure = RoundRobin::default();
        let picks: Vec<usize> = (0..7).map(|_| procedure.select(3)).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2, 0]);
    }
}
