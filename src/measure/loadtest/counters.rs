//! The simulated counters of `postcounter loadtest`: each registers over HTTP with an
//! enrollment code and its own key, as a real counter does, and buys one purchase at a time
//! through the counter's own vendor client, timing each.

use std::time::{Duration, Instant};

use p256::elliptic_curve::Generate;

use crate::address::ZipCode;
use crate::clock::Clock;
use crate::date::Date;
use crate::link::{VendorClient, identity};
use crate::protocol::signature::RequestSigner;
use crate::protocol::{PieceOrder, PurchaseRequest};
use crate::rates::{Destination, MailPiece, Product, RateBook, SaleRequest, Shape, price_piece};
use crate::vendor_system::store::VendorStore;
use crate::vendor_system::store::counters::check_location;
use crate::weight::Weight;

/// What one simulated counter saw.
#[derive(Default)]
pub struct CounterTally {
    pub latencies: Vec<Duration>,
    pub indicia: u64,
    pub refused: u64,
    /// The body of the first refusal, to say why.
    pub first_refusal: Option<String>,
}

/// A counter registered over HTTP with its own key, as a real one would, and its link.
pub async fn enroll(
    store: &VendorStore,
    url: &str,
    account: &str,
    clock: &Clock,
) -> anyhow::Result<(RequestSigner, VendorClient)> {
    let code = crate::hex::encode(&rand::random::<[u8; 12]>());
    store
        .create_enrollment(
            &code,
            account,
            &check_location("02134")?,
            clock.now_unix_ms() + 3_600_000,
        )
        .await?;
    let key = p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng());
    let link = VendorClient::new(
        &[url.to_string()],
        Duration::from_secs(10),
        1,
        clock.clone(),
    )?;
    // The load test runs beside its data centre: the roots its answer names are taken.
    link.fetch_service_keys(None).await?;
    let registration = identity::register(&link, &key, &code, "loadtest").await?;
    let signer = RequestSigner::new(&registration.counter_id, &key).map_err(anyhow::Error::msg)?;
    Ok((signer, link))
}

/// The piece every counter buys: a 1 oz letter from 02134 to 94103 today, described as a
/// counter describes it, with the postage the counter would have shown. The vendor prices it
/// again from the counter's registered location and signs its own price.
pub fn sample_letter(rates: &RateBook, today: Date) -> anyhow::Result<PieceOrder> {
    let request = SaleRequest {
        piece: MailPiece {
            weight: Weight::from_ounces(1),
            shape: Shape::Letter,
            dimensions: None,
        },
        origin: ZipCode::parse("02134")?,
        destination: Destination::parse("94103")?,
        product: Some(Product::FcmLetter),
        extras: Vec::new(),
        declared_value: None,
        label_serial: None,
        mailing_date: today,
        customs: None,
    };
    Ok(PieceOrder::for_piece(&price_piece(rates, &request)?))
}

/// One counter buying `pieces` until `deadline`, one purchase at a time, through the
/// counter's own vendor client.
pub async fn drive(
    signer: RequestSigner,
    link: VendorClient,
    pieces: Vec<PieceOrder>,
    deadline: Instant,
) -> anyhow::Result<CounterTally> {
    let count = pieces.len() as u64;
    let body = serde_json::to_string(&PurchaseRequest { pieces, card: None })?;
    let mut tally = CounterTally::default();
    let mut sequence = 0u64;
    while Instant::now() < deadline {
        sequence += 1;
        let key = format!("{}-{sequence}", signer.counter_id());
        let sent = Instant::now();
        let reply = link
            .send(
                reqwest::Method::POST,
                "/postage/v1/purchases",
                Some(&key),
                body.as_bytes(),
                Some(&signer),
            )
            .await?;
        tally.latencies.push(sent.elapsed());
        if reply.status == 201 {
            tally.indicia += count;
        } else {
            tally.refused += 1;
            if tally.first_refusal.is_none() {
                let body: String = String::from_utf8_lossy(&reply.body)
                    .chars()
                    .take(300)
                    .collect();
                tally.first_refusal = Some(format!("{} {body}", reply.status));
            }
        }
    }
    Ok(tally)
}
