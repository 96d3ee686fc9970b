//! A vendor on loopback for the API tests, over SQLite or PostgreSQL, and counters that
//! register with it and sign their requests, speaking plain HTTP through reqwest.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;
use serde_json::{Value, json};

use postcounter::clock::Clock;
use postcounter::date::Date;
use postcounter::keys::{KeyStore, PsdCertificate, PsdSigner};
use postcounter::money::Money;
use postcounter::payment::{PaymentStore, TestGateway};
use postcounter::protocol::keys::possession_text;
use postcounter::protocol::signature::RequestSigner;
use postcounter::psd::{Ledger, Psd};
use postcounter::vendor_system::from_config::keys_dir;
use postcounter::vendor_system::postage::crypto_module::ModuleKind;
use postcounter::vendor_system::store::VendorStore;
use postcounter::vendor_system::store::counters::check_location;
use postcounter::vendor_system::{Vendor, VendorSettings};

use super::postgres;
pub use super::vendor_counter::{Prepared, TestCounter};
use super::vendor_serve::{serve, serve_failing, settings};
use postcounter::rates::book::EMBEDDED_FILES;

pub const LICENSE: u32 = 700_001;
/// Account A1 and its PSD; A2 is another customer.
pub const PSD_A1: u32 = 20_000_001;
pub const PSD_A2: u32 = 20_000_002;

#[derive(Clone, Copy, Debug)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

/// A prepared store and key store: accounts A1 ($1000.00, PSD 20000001, labels 1..=100)
/// and A2 (no funds, PSD 20000002, labels 1000..=1099).
pub struct VendorFixture {
    pub dir: tempfile::TempDir,
    pub location: String,
    pub store: VendorStore,
    pub keys: KeyStore,
    /// The PostgreSQL database, dropped with the fixture.
    _database: Option<postgres::TestDatabase>,
}

impl VendorFixture {
    /// One-time enrollment codes for account A1's counters at COUNTER_ZIP, valid an hour.
    pub async fn enroll(&self, codes: &[&str]) {
        let now = Clock::system().now_unix_ms();
        for code in codes {
            self.store
                .create_enrollment(
                    code,
                    "A1",
                    &postcounter::vendor_system::store::counters::check_location(COUNTER_ZIP)
                        .unwrap(),
                    now + 3_600_000,
                )
                .await
                .unwrap();
        }
    }

    /// `None` when PostgreSQL is asked for and not available.
    pub async fn create(kind: StoreKind) -> Option<VendorFixture> {
        let dir = tempfile::tempdir().unwrap();
        let (location, database) = match kind {
            StoreKind::Sqlite => (dir.path().join("vendor.sqlite").display().to_string(), None),
            StoreKind::Postgres => {
                let database = postgres::fresh_database("vendor").await?;
                (database.url.clone(), Some(database))
            }
        };
        // Where `vendor serve --data-dir` finds the data centre's keys.
        let keys = KeyStore::open(&keys_dir(dir.path())).unwrap();
        keys.create_root().unwrap();
        let today = Date::today_utc();
        let store = VendorStore::open(&location, 8).await.unwrap();
        let now = Clock::system().now_unix_ms();
        for (account, psd_id, first) in [("A1", PSD_A1, 1), ("A2", PSD_A2, 1000)] {
            let serial = store.next_certificate_serial().await.unwrap();
            let signer = keys
                .create_psd(psd_id, serial, today.add_days(-30), today.add_days(365))
                .unwrap();
            store
                .record_psd_certificate(signer.certificate(), now)
                .await
                .unwrap();
            store.create_account(account, account, now).await.unwrap();
            store
                .create_psd(psd_id, account, serial, now)
                .await
                .unwrap();
            store
                .issue_label_stock(account, (first, first + 99), 1, now)
                .await
                .unwrap();
        }
        store
            .credit_account("A1", "seed", Money::from_mills(1_000_000), now)
            .await
            .unwrap();
        Some(VendorFixture {
            dir,
            location,
            store,
            keys,
            _database: database,
        })
    }
}

/// A counter registered over HTTP at the vendor at `url`, for `account`, at
/// [`COUNTER_ZIP`].
pub async fn enroll(store: &VendorStore, url: &str, account: &str) -> TestCounter {
    enroll_at(store, url, account, COUNTER_ZIP).await
}

/// [`enroll`] with the counter registered at `location`.
pub async fn enroll_at(
    store: &VendorStore,
    url: &str,
    account: &str,
    location: &str,
) -> TestCounter {
    let code = format!(
        "code-{}",
        postcounter::hex::encode(&rand::random::<[u8; 8]>())
    );
    let expires = Clock::system().now_unix_ms() + 86_400_000;
    let location = check_location(location).unwrap();
    store
        .create_enrollment(&code, account, &location, expires)
        .await
        .unwrap();
    let key = SigningKey::generate_from_rng(&mut rand::rng());
    let public = postcounter::hex::encode(key.verifying_key().to_sec1_point(false).as_bytes());
    let client = reqwest::Client::new();
    let keys = super::vendor_counter::service_keys(&client, url).await;
    let body = json!({"enrollment_code": code, "name": "Test counter", "public_key": public});
    let (status, text) = Prepared::new(
        &keys,
        "POST",
        "/contact/v1/counters",
        None,
        body.to_string().as_bytes(),
    )
    .send(&client, &keys, url, None)
    .await
    .unwrap();
    assert_eq!(status, 201, "{text}");
    let registered: Value = serde_json::from_str(&text).unwrap();
    let counter_id = registered["counter_id"].as_str().unwrap().to_string();
    TestCounter {
        signer: RequestSigner::new(&counter_id, &key).unwrap(),
        client,
        url: url.to_string(),
        clock: Clock::system(),
        keys,
    }
}

/// A [`TestVendor`], or `None` with a note that `test` is skipped (no PostgreSQL server).
pub async fn vendor_or_skip(kind: StoreKind, test: &str) -> Option<TestVendor> {
    let vendor = TestVendor::start(kind).await;
    if vendor.is_none() {
        super::postgres::skip_note(test);
    }
    vendor
}

/// A refusal's `kind`.
pub fn kind_of(answer: &Value) -> &str {
    answer["error"]["kind"]
        .as_str()
        .unwrap_or("(no error kind)")
}

/// A refusal's message for people.
pub fn message_of(answer: &Value) -> &str {
    answer["error"]["message"]
        .as_str()
        .unwrap_or("(no error message)")
}

pub struct TestVendor {
    /// A path prefix the HTTP edge answers 503 under (one service down, the others up).
    failing: Arc<std::sync::Mutex<Option<&'static str>>>,
    pub dir: tempfile::TempDir,
    pub url: String,
    pub store: VendorStore,
    pub keys: KeyStore,
    _database: Option<postgres::TestDatabase>,
}

impl TestVendor {
    /// An in-process vendor on loopback over a [`VendorFixture`].
    pub async fn start(kind: StoreKind) -> Option<TestVendor> {
        TestVendor::start_with_clock(kind, Clock::system()).await
    }

    /// [`start`](Self::start) with the vendor reading the time from `clock`.
    pub async fn start_with_clock(kind: StoreKind, clock: Clock) -> Option<TestVendor> {
        TestVendor::start_custom(kind, clock, CERTIFICATE_RENEW_DAYS).await
    }

    /// [`start_with_clock`](Self::start_with_clock) whose key management renews
    /// certificates with fewer than `renew_days` left.
    pub async fn start_custom(
        kind: StoreKind,
        clock: Clock,
        renew_days: i32,
    ) -> Option<TestVendor> {
        let VendorFixture {
            dir,
            location: _,
            store,
            keys,
            _database,
        } = VendorFixture::create(kind).await?;
        let gateway = PaymentStore::open(&dir.path().join("gateway.sqlite"))
            .await
            .unwrap();
        let vendor = Vendor::start(
            store.clone(),
            keys_dir(dir.path()),
            &software(dir.path()),
            VendorSettings {
                certificate_renew_days: renew_days,
                ..settings()
            },
            EMBEDDED_FILES,
            clock,
            Some(Arc::new(TestGateway::new(gateway))),
        )
        .await
        .unwrap();
        let failing = Arc::new(std::sync::Mutex::new(None));
        let url = serve_failing(vendor, failing.clone()).await;
        Some(TestVendor {
            failing,
            dir,
            url,
            store,
            keys,
            _database,
        })
    }

    /// Another vendor process's URL: a vendor of its own (its own connections, committer
    /// and sessions) on the same store and keys, as `vendor serve` run twice would be.
    pub async fn another_process(&self) -> String {
        let store = self.store.open_another(8).await.unwrap();
        let vendor = Vendor::start(
            store,
            self.keys_dir(),
            &software(self.dir.path()),
            settings(),
            EMBEDDED_FILES,
            Clock::system(),
            None,
        )
        .await
        .unwrap();
        serve(vendor).await
    }

    pub fn keys_dir(&self) -> PathBuf {
        keys_dir(self.dir.path())
    }

    /// From now on, every request under `prefix` is answered 503 (`None`: none).
    pub fn fail_under(&self, prefix: Option<&'static str>) {
        *self.failing.lock().unwrap() = prefix;
    }

    /// A counter registered for `account`.
    pub async fn counter(&self, account: &str) -> TestCounter {
        enroll(&self.store, &self.url, account).await
    }

    /// The embedded PSD the vendor numbers and certifies for `counter` (a key the test made,
    /// as a counter makes it), its ledger in `dir`, refilled with $50.00 from the account
    /// through the vendor's refill authorization.
    pub async fn certified_psd(&self, counter: &TestCounter, dir: &std::path::Path) -> Psd {
        use p256::ecdsa::signature::Signer;
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        let public_key =
            postcounter::hex::encode(key.verifying_key().to_sec1_point(false).as_bytes());
        let proof: p256::ecdsa::Signature =
            key.sign(possession_text(counter.id(), &public_key).as_bytes());
        let (status, answer) = counter
            .post(
                "/keys/v1/psd-certificates",
                "certify-1",
                &json!({"public_key": public_key, "proof": postcounter::hex::encode(&proof.to_bytes())}),
            )
            .await;
        assert_eq!(status, 201, "{answer}");
        let bytes = postcounter::hex::decode(answer["certificate"].as_str().unwrap()).unwrap();
        let certificate = PsdCertificate::from_bytes(&bytes).unwrap();
        let signer = PsdSigner::new(key.clone(), certificate).unwrap();
        let ledger = Ledger::open(&dir.join("ledger.sqlite")).await.unwrap();
        let (psd, _) = Psd::open(ledger, signer, LICENSE).await.unwrap();
        let (status, answer) = counter
            .post(
                &format!("/funds/v1/embedded-psds/{}/refills", psd.device_id()),
                "refill-funds",
                &json!({"refill_id": "funds", "amount_mills": 50_000, "registers": {
                    "ascending_mills": 0, "descending_mills": 0, "control_total_mills": 0, "piece_count": 0}}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        let authorization =
            postcounter::hex::decode(answer["authorization"].as_str().unwrap()).unwrap();
        psd.apply_refill(&authorization, "funds", &central_trust(&self.keys))
            .await
            .unwrap();
        // Its key certificate covers no piece: the first contact's lease brings the one
        // its offline pieces are signed under.
        let (status, answer) = counter
            .post(
                "/postage/v1/reconciliations",
                "lease-1",
                &json!({"psd_id": psd.device_id(), "entries": []}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        let lease_certificate = self
            .store
            .psd_certificates(Some(&[psd.device_id()]))
            .await
            .unwrap()
            .into_iter()
            .filter(|certificate| certificate.is_lease())
            .max_by_key(|certificate| certificate.serial)
            .unwrap();
        psd.renew(PsdSigner::new(key, lease_certificate).unwrap())
            .unwrap();
        psd
    }

    /// How many rows each value table holds, and the registers: "nothing written" is this
    /// staying the same.
    pub async fn footprint(&self) -> Vec<i64> {
        footprint(&self.store).await
    }
}

/// What a request can leave in the store that moves or promises value. Nonces are not in
/// it: a refused request's nonce is kept, so a captured copy cannot be replayed later.
pub async fn footprint(store: &VendorStore) -> Vec<i64> {
    let mut counts = Vec::new();
    for sql in [
        "SELECT CAST(COUNT(*) AS BIGINT) FROM piece",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM idempotency",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM label_use",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM card_payment",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM account_entry",
        "SELECT CAST(SUM(balance_mills) AS BIGINT) FROM account",
        "SELECT CAST(SUM(descending_mills) AS BIGINT) FROM psd",
        "SELECT CAST(SUM(ascending_mills) AS BIGINT) FROM psd",
    ] {
        counts.push(
            sqlx::query_scalar(sql)
                .fetch_one(store.pool())
                .await
                .unwrap(),
        );
    }
    counts
}

/// The test vendor's offline lease: 72 hours, $10.00 of unreported postage.
pub const LEASE_HOURS: u32 = 72;
/// A key certificate with fewer days left goes on its station's agenda.
pub const CERTIFICATE_RENEW_DAYS: i32 = 30;
pub const LEASE_MAX_MILLS: i64 = 10_000;

/// Every test counter's registered location.
pub const COUNTER_ZIP: &str = "02134";

/// A First-Class Mail letter of `weight` mailed today to 94103, as a counter describes it
/// (the vendor prices it).
pub fn letter_weighing(weight: &str) -> Value {
    json!({
        "weight": weight,
        "shape": "letter",
        "product": "fcm-letter",
        "destination": "94103",
        "mailing_date": Date::today_utc().to_string(),
    })
}

/// A 1 oz letter: [`letter_weighing`] `1oz`.
pub fn letter() -> Value {
    letter_weighing("1oz")
}

/// `count` 1 oz letters.
pub fn letters(count: usize) -> Vec<Value> {
    vec![letter(); count]
}

/// What the vendor charges for `piece` (a body's piece) from [`COUNTER_ZIP`] today: the
/// same pricing it runs, on the tables built in.
pub fn price_mills(piece: &Value) -> i64 {
    let order: postcounter::protocol::PieceOrder = serde_json::from_value(piece.clone()).unwrap();
    let request = postcounter::rates::SaleRequest {
        piece: postcounter::rates::MailPiece {
            weight: postcounter::weight::Weight::parse(&order.weight).unwrap(),
            shape: order.shape.parse().unwrap(),
            dimensions: order.dimensions.as_deref().map(|d| d.parse().unwrap()),
        },
        origin: postcounter::address::ZipCode::parse(COUNTER_ZIP).unwrap(),
        destination: postcounter::rates::Destination::parse(&order.destination).unwrap(),
        product: Some(order.product.parse().unwrap()),
        extras: order
            .extra_services
            .iter()
            .map(|s| s.parse().unwrap())
            .collect(),
        declared_value: order.declared_value_mills.map(Money::from_mills),
        label_serial: order.label_serial.clone(),
        mailing_date: Date::parse(&order.mailing_date).unwrap(),
        customs: order.customs.as_ref().map(|c| {
            c.declaration(postcounter::weight::Weight::parse(&order.weight).unwrap())
                .unwrap()
        }),
    };
    let rates = postcounter::rates::RateBook::embedded().unwrap();
    postcounter::rates::price_piece(&rates, &request)
        .unwrap()
        .total
        .mills()
}

/// The price of a 1 oz letter today.
pub fn letter_mills() -> i64 {
    price_mills(&letter())
}

/// The indicium bytes of piece `index` of a purchase answer.
pub fn indicium(answer: &Value, index: usize) -> Vec<u8> {
    postcounter::hex::decode(answer["pieces"][index]["indicium"].as_str().unwrap()).unwrap()
}

/// The data centre's trust over its central PSDs' certificates: what verifies what they sign.
pub fn central_trust(keys: &KeyStore) -> postcounter::keys::Trust {
    keys.trust(keys.certificates().unwrap()).unwrap()
}

/// The software cryptographic module over the fixture's key store.
pub fn software(data_dir: &Path) -> ModuleKind {
    ModuleKind::Software {
        keys_dir: keys_dir(data_dir),
    }
}
