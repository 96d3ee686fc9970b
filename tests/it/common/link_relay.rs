//! A counter's view of the network, made by the test: a TCP relay in front of a vendor on
//! loopback that can be cut (an outage: connections dropped) or made to swallow the vendor's
//! answers (a purchase the vendor commits but the counter never hears of), and a counter with
//! an embedded PSD linked through it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

use super::LICENSE;
use super::vendor::{COUNTER_ZIP, StoreKind, TestVendor};
use postcounter::clock::Clock;
use postcounter::link::counter_link::LinkSettings;
use postcounter::link::fallback::DAY_MS;
use postcounter::link::{CounterLink, VendorClient};
use postcounter::money::Money;
use postcounter::psd::{Keyring, Ledger, Psd};
use postcounter::vendor_system::store::VendorStore;
use postcounter::vendor_system::store::counters::check_location;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relay {
    Up,
    /// Every connection is dropped, open ones too.
    Down,
    /// Requests reach the vendor; its answers are thrown away.
    SwallowAnswers,
}

/// A TCP relay in front of the vendor, so the test decides what the network does.
pub struct Network {
    address: SocketAddr,
    relay: Arc<Mutex<Relay>>,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Network {
    pub async fn start(upstream: &str) -> Network {
        let upstream: SocketAddr = upstream.trim_start_matches("http://").parse().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let network = Network {
            address: listener.local_addr().unwrap(),
            relay: Arc::new(Mutex::new(Relay::Up)),
            connections: Arc::new(Mutex::new(Vec::new())),
        };
        let relay = network.relay.clone();
        let connections = network.connections.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let mode = *relay.lock().unwrap();
                if mode == Relay::Down {
                    drop(client);
                    continue;
                }
                let task = tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    let requests = tokio::io::copy(&mut client_read, &mut server_write);
                    let answers = async {
                        if mode == Relay::SwallowAnswers {
                            tokio::io::copy(&mut server_read, &mut tokio::io::sink()).await
                        } else {
                            tokio::io::copy(&mut server_read, &mut client_write).await
                        }
                    };
                    let _ = tokio::join!(requests, answers);
                });
                connections.lock().unwrap().push(task.abort_handle());
            }
        });
        network
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn set(&self, mode: Relay) {
        *self.relay.lock().unwrap() = mode;
        // Kept-alive connections must not outlive the change.
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }
}

/// A URL where nothing listens.
pub async fn dead_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

/// A counter linked to `endpoints`, enrolled for `account` in the vendor's `store`, whose
/// embedded PSD the vendor numbered and certified, refilled with $50.00 from the account and
/// leased at a first contact, as a real counter's first start does.
pub async fn counter(
    store: &VendorStore,
    dir: &Path,
    endpoints: &[String],
    account: &str,
    clock: Clock,
) -> (CounterLink, Psd) {
    let client =
        VendorClient::new(endpoints, Duration::from_millis(700), 3, clock.clone()).unwrap();
    counter_with(store, dir, client, account, clock).await
}

/// [`counter`] over `client` (a client with a modem, say).
pub async fn counter_with(
    store: &VendorStore,
    dir: &Path,
    client: VendorClient,
    account: &str,
    clock: Clock,
) -> (CounterLink, Psd) {
    let code = format!("code-{}", std::process::id());
    store
        .create_enrollment(
            &code,
            account,
            &check_location(COUNTER_ZIP).unwrap(),
            clock.now_unix_ms() + DAY_MS,
        )
        .await
        .unwrap();
    let settings = LinkSettings {
        data_dir: dir.to_path_buf(),
        enrollment_code: code,
        counter_name: "Counter 1".into(),
        keyring: Keyring::open(dir).unwrap(),
        certificate_renew_days: 30,
        first_refill: Money::ZERO,
    };
    let link = CounterLink::new(client, settings, clock.clone());
    let signer = link.embedded_signer().await.unwrap();
    let ledger = Ledger::open_with_clock(&dir.join("ledger.sqlite"), clock)
        .await
        .unwrap();
    let (psd, audit) = Psd::open(ledger, signer, LICENSE).await.unwrap();
    assert!(audit.discrepancies.is_empty(), "{audit:?}");
    link.refill_embedded(&psd, "funds", Money::from_mills(50_000))
        .await
        .unwrap();
    link.reconcile(&psd).await.unwrap();
    (link, psd)
}

/// A vendor, the relay in front of it, and a counter of account A1 linked through the relay.
pub struct BehindRelay {
    pub vendor: TestVendor,
    pub network: Network,
    pub dir: tempfile::TempDir,
    pub link: CounterLink,
    pub psd: Psd,
}

pub async fn behind_relay(clock: Clock) -> BehindRelay {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let network = Network::start(&vendor.url).await;
    let dir = tempfile::tempdir().unwrap();
    let (link, psd) = counter(&vendor.store, dir.path(), &[network.url()], "A1", clock).await;
    BehindRelay {
        vendor,
        network,
        dir,
        link,
        psd,
    }
}

pub async fn count(vendor: &TestVendor, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(vendor.store.pool())
        .await
        .unwrap()
}

/// The counter in `dir` as its owner can drive it by hand: its own link key and registered
/// id, signing raw requests to the vendor at `url` (the link is bypassed, not its identity).
pub async fn by_hand(dir: &Path, url: &str) -> super::vendor::TestCounter {
    let registration = postcounter::link::identity::saved_registration(dir)
        .unwrap()
        .unwrap();
    let key = postcounter::link::identity::counter_key(dir).unwrap();
    super::vendor::TestCounter {
        signer: postcounter::protocol::signature::RequestSigner::new(
            &registration.counter_id,
            &key,
        )
        .unwrap(),
        keys: super::vendor_counter::service_keys(&reqwest::Client::new(), url).await,
        client: reqwest::Client::new(),
        url: url.to_string(),
        clock: Clock::system(),
    }
}
