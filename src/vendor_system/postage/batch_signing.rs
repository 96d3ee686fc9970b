//! A batch's signing and its answers: every debited purchase's pieces go to the processing
//! server its lane names, the servers sign in parallel (each through its own cryptographic
//! module), and each purchase is answered with its indicia and the server that signed.

use super::crypto_module::SignJob;
use super::processing::ProcessingPool;
use crate::hex;
use crate::protocol::{CardReceipt, IssuedPiece, PurchaseResponse};
use crate::vendor_system::error::VendorError;
use crate::vendor_system::store::purchase::{Debited, Prepared, PurchaseJob, PurchaseRules};
use crate::vendor_system::store::registers_view;

/// Every debited purchase's pieces signed on its processing server, the servers working in
/// parallel. One list of signatures per job (empty for jobs that were not debited).
pub(super) async fn sign_all(
    pool: &ProcessingPool,
    jobs: &[&PurchaseJob],
    prepared: &[Prepared],
) -> Result<Vec<Vec<[u8; 64]>>, VendorError> {
    let lanes = pool.len();
    let mut per_lane: Vec<Vec<SignJob>> = (0..lanes).map(|_| Vec::new()).collect();
    let mut places = Vec::new();
    for (index, (job, prepared)) in jobs.iter().zip(prepared).enumerate() {
        if let Prepared::Debited(debited) = prepared {
            let lane = job.lane % lanes;
            for message in &debited.messages {
                places.push((index, lane, per_lane[lane].len()));
                per_lane[lane].push(SignJob {
                    psd_id: debited.psd_id,
                    certificate_serial: debited.certificate_serial,
                    message: message.clone(),
                });
            }
        }
    }
    let signed = futures_util::future::try_join_all(per_lane.into_iter().enumerate().map(
        |(lane, sign_jobs)| async move {
            if sign_jobs.is_empty() {
                Ok(Vec::new())
            } else {
                pool.sign(lane, sign_jobs).await
            }
        },
    ))
    .await?;
    let mut signatures: Vec<Vec<[u8; 64]>> = jobs.iter().map(|_| Vec::new()).collect();
    for (index, lane, position) in places {
        let signature = signed[lane].get(position).ok_or_else(|| {
            VendorError::storage("a processing server returned too few signatures")
        })?;
        signatures[index].push(*signature);
    }
    Ok(signatures)
}

pub(super) fn response(
    job: &PurchaseJob,
    debited: &Debited,
    indicia: &[Vec<u8>],
    rules: &PurchaseRules,
    server: crate::protocol::ProcessingServerRef,
) -> PurchaseResponse {
    PurchaseResponse {
        purchase_key: job.key.clone(),
        license_number: rules.license_number,
        psd_id: debited.psd_id,
        processing_server: server,
        pieces: debited
            .pieces
            .iter()
            .zip(indicia)
            .map(|(data, indicium)| IssuedPiece {
                piece_serial: data.piece_serial,
                postage_mills: data.postage.mills(),
                rate_table: data
                    .rate_table
                    .map(|date| date.to_string())
                    .unwrap_or_default(),
                indicium: hex::encode(indicium),
            })
            .collect(),
        registers: registers_view(debited.psd_id, &debited.registers, None),
        top_up_mills: debited.top_up.mills(),
        card: job.card.as_ref().map(|card| CardReceipt {
            token: card.approval_code.clone(),
            brand: card.brand.name().to_string(),
            last4: card.last4.clone(),
            approval_code: card.approval_code.clone(),
            amount_mills: card.amount.mills(),
        }),
    }
}
