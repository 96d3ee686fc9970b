//! The backup link: with every Internet endpoint down, a counter dials the data centre's
//! remote access server through a Hayes modem on a simulated phone line at 33.6 kbit/s and
//! buys its postage over the call; busy and no-carrier are dialed again within the limit;
//! the embedded PSD issues only when both interfaces fail. The remote access server is
//! `vendor serve --modem`, which serves the Internet too.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::link_relay::{Network, Relay, counter_with};
use crate::common::payment::card_charge;
use crate::common::priced_letter;
use crate::common::vendor::{StoreKind, VendorFixture};
use crate::common::vendor_process::VendorProcess;
use crate::updates::{publish, rate_file_from};
use postcounter::clock::Clock;
use postcounter::link::client::Interface;
use postcounter::link::updates::progress::handled_snapshot_version;
use postcounter::link::{CounterLink, VendorClient};
use postcounter::modem::ResultCode;
use postcounter::modem::dialer::{Modem, ModemSettings};
use postcounter::modem::dialer::{read_result, reset_line};
use postcounter::modem::simulator::{LineSettings, PhoneLine};
use postcounter::payment::PaymentGateway;
use postcounter::protocol::updates::Published;
use postcounter::psd::Psd;
use postcounter::release::this_platform;
use postcounter::serial_port::{FlowControl, SerialPort};
use postcounter::vendor_system::from_config::keys_dir;
use postcounter::vendor_system::updates::{UpdateRepository, repository_dir};

struct OverModem {
    line: PhoneLine,
    network: Network,
    vendor: VendorProcess,
    fixture: VendorFixture,
    dir: tempfile::TempDir,
    link: CounterLink,
    psd: Psd,
    modem: Arc<Modem>,
}

/// A data centre answering on the Internet and on a modem line, and a counter set up over
/// the Internet whose link has a modem on the same line.
async fn station_with_a_modem() -> OverModem {
    let fixture = VendorFixture::create(StoreKind::Sqlite).await.unwrap();
    let line = PhoneLine::start(LineSettings::default()).unwrap();
    let vendor = VendorProcess::spawn_with(
        fixture.dir.path(),
        &fixture.location,
        "127.0.0.1:0",
        &[],
        &["--modem", &line.centre_path],
    );
    let network = Network::start(&vendor.url).await;
    let modem = Arc::new(Modem::new(ModemSettings {
        device: line.station_path.clone(),
        number: LineSettings::default().number,
        init: "AT&F E0 V1".into(),
        baud: 115_200,
        attempts: 3,
        backoff: Duration::from_millis(50),
        answer_timeout: Duration::from_secs(10),
    }));
    let client = VendorClient::new(
        &[network.url()],
        Duration::from_millis(700),
        2,
        Clock::system(),
    )
    .unwrap()
    .with_modem(modem.clone());
    let dir = tempfile::tempdir().unwrap();
    let (link, psd) = counter_with(&fixture.store, dir.path(), client, "A1", Clock::system()).await;
    OverModem {
        line,
        network,
        vendor,
        fixture,
        dir,
        link,
        psd,
        modem,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_completes_over_the_modem_when_every_internet_endpoint_is_down() {
    let mut station = station_with_a_modem().await;
    station.network.set(Relay::Down);
    let started = Instant::now();
    let issued = station
        .link
        .issue(&station.psd, &priced_letter("1oz"), "by-modem-1")
        .await
        .unwrap();
    let first = started.elapsed();
    assert!(!issued.offline, "issued by the data centre, over the modem");
    let status = station.link.status();
    assert!(status.online, "{status:?}");
    assert_eq!(status.interface, Interface::Modem);
    // The call stays up: the next purchase costs only its bytes at the line rate, and no
    // less: the line carries 4,200 bytes a second.
    let (sent_before, received_before) = station.modem.bytes_exchanged();
    let started = Instant::now();
    let second = station
        .link
        .issue(&station.psd, &priced_letter("2oz"), "by-modem-2")
        .await
        .unwrap();
    let on_the_call = started.elapsed();
    assert!(!second.offline);
    assert_eq!(second.piece_serial, issued.piece_serial + 1);
    let (sent, received) = station.modem.bytes_exchanged();
    let bytes = (sent - sent_before) + (received - received_before);
    let line_floor = Duration::from_secs_f64(bytes as f64 / 4_200.0);
    assert!(
        on_the_call >= line_floor,
        "{bytes} bytes cannot cross 33.6 kbit/s in {on_the_call:?}"
    );
    eprintln!(
        "modem: a one-piece purchase at 33.6 kbit/s took {} ms with the dial, {} ms on the call, {} bytes on the line ({} sent, {} received)",
        first.as_millis(),
        on_the_call.as_millis(),
        bytes,
        sent - sent_before,
        received - received_before
    );
    // A card goes over the phone line sealed to the data centre (the accounts service
    // encrypts): charged, and a wiretap on the line reads neither the number nor the
    // holder, nor the data centre's answer.
    let before = station.modem.bytes_exchanged();
    let receipt = station
        .link
        .charge(&card_charge("card-by-modem", "4242424242424242", "0.78"))
        .await
        .unwrap();
    assert!(station.modem.bytes_exchanged().0 > before.0);
    let heard = String::from_utf8_lossy(&station.line.wiretap()).to_string();
    assert!(
        heard.contains("POST /accounts/v1/card-payments"),
        "the wiretap heard the call"
    );
    assert!(
        heard.contains("postcounter-seal: v1 "),
        "the request went sealed"
    );
    for secret in ["4242424242424242", "12/28", &receipt.approval_code] {
        assert!(
            !heard.contains(secret),
            "{secret:?} crossed the line in clear"
        );
    }
    // The Internet back: the next answer comes over it.
    station.network.set(Relay::Up);
    station
        .link
        .issue(&station.psd, &priced_letter("3oz"), "by-internet-3")
        .await
        .unwrap();
    assert_eq!(station.link.status().interface, Interface::Internet);
    station.vendor.kill();
}

/// With the Internet down, an update check runs over the call: a rate table published
/// meanwhile is verified and installed; a build waits for the Internet, where it is staged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_updates_come_over_the_modem_and_a_release_waits_for_the_internet() {
    let mut station = station_with_a_modem().await;
    station.link.check_updates(None).await.unwrap();
    let keys = keys_dir(station.fixture.dir.path());
    let repository = UpdateRepository::at(&repository_dir(&keys).unwrap(), &keys);
    let now = Clock::system().now_unix_ms();
    // A whole price list (130 KB of TOML): 31 s at 33.6 kbit/s as it is, a few gzipped.
    let name = "usps-retail-2027-01-18.toml";
    let text = rate_file_from("2027-01-18");
    publish(&repository, name, &text, now).await;
    let build = Published::Software {
        version: "0.99.0".into(),
        platform: this_platform(),
    };
    let bytes = vec![0x7f; 600 * 1024];
    repository
        .publish("postcounter", &bytes, build, now)
        .await
        .unwrap();
    station.network.set(Relay::Down);
    let started = Instant::now();
    let received_before = station.modem.bytes_exchanged().1;
    let report = station.link.check_updates(None).await.unwrap();
    let on_the_line = station.modem.bytes_exchanged().1 - received_before;
    eprintln!(
        "modem: an update check with a new {} KB price list took {} ms at 33.6 kbit/s (with the dial): {} files, {} body bytes, {} bytes received on the line",
        text.len() / 1024,
        started.elapsed().as_millis(),
        report.requests,
        report.body_bytes,
        on_the_line
    );
    assert!(on_the_line < report.body_bytes / 4, "gzipped on the line");
    assert!(
        report.rates_fetched.contains(&name.to_string()),
        "{report:?}"
    );
    assert_eq!(report.releases, [("0.99.0".to_string(), this_platform())]);
    assert_eq!(report.release_staged, None, "{report:?}");
    let waits = report.release_waits.clone().unwrap_or_default();
    assert!(waits.contains("waits for the Internet"), "{report:?}");
    let data_dir = station.dir.path().to_path_buf();
    assert!(handled_snapshot_version(&data_dir) < Some(report.snapshot_version));
    assert!(report.over_modem && station.modem.bytes_exchanged().1 > 0);
    assert_eq!(
        report.rates_fetched,
        [name],
        "only the new table crossed the line"
    );
    station.network.set(Relay::Up);
    let report = station.link.check_updates(None).await.unwrap();
    assert!(!report.over_modem, "{report:?}");
    assert_eq!(
        report.release_staged.as_deref(),
        Some("0.99.0"),
        "{report:?}"
    );
    station.vendor.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_and_no_carrier_are_dialed_again_and_past_the_limit_the_embedded_psd_issues() {
    let mut station = station_with_a_modem().await;
    station.network.set(Relay::Down);
    station.line.arm(|faults| {
        faults.busy = 1;
        faults.no_carrier = 1;
    });
    let issued = station
        .link
        .issue(&station.psd, &priced_letter("1oz"), "after-busy-1")
        .await
        .unwrap();
    assert!(!issued.offline, "the third dial connected");
    // A dropped call is dialed again at the next request.
    station.line.arm(|faults| faults.drop_call = true);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let again = station
        .link
        .issue(&station.psd, &priced_letter("1oz"), "after-drop-2")
        .await
        .unwrap();
    assert!(!again.offline);
    // Busy past the limit: both interfaces failed, so the embedded PSD issues, offline.
    station.line.arm(|faults| faults.busy = 10);
    tokio::time::sleep(Duration::from_millis(100)).await;
    station.line.arm(|faults| faults.drop_call = true);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let offline = station
        .link
        .issue(&station.psd, &priced_letter("1oz"), "all-busy-3")
        .await
        .unwrap();
    assert!(
        offline.offline,
        "issued by the embedded PSD under its lease"
    );
    assert!(!station.link.status().online);
    station.vendor.kill();
}

/// The remote access server dies in the middle of a call and starts again: it resets its
/// modem (the old call hangs up), and the station's next request dials again and is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_access_server_restarted_mid_call_answers_the_next_call() {
    let mut station = station_with_a_modem().await;
    station.network.set(Relay::Down);
    let first = station
        .link
        .issue(&station.psd, &priced_letter("1oz"), "before-crash-1")
        .await
        .unwrap();
    assert!(!first.offline);
    station.vendor.kill();
    let mut restarted = VendorProcess::spawn_with(
        station.fixture.dir.path(),
        &station.fixture.location,
        "127.0.0.1:0",
        &[],
        &["--modem", &station.line.centre_path],
    );
    // The restarted server answers calls once it has reset its modem (its log says so a
    // second time); under a loaded machine that can outlast a request's time limit.
    let log_path = postcounter::log_file::log_path(station.fixture.dir.path());
    let answering = || {
        std::fs::read_to_string(&log_path)
            .unwrap_or_default()
            .matches("answering calls on the modem")
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while answering() < 2 {
        assert!(
            Instant::now() < deadline,
            "the restarted server never answered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = Instant::now();
    let second = station
        .link
        .issue(&station.psd, &priced_letter("1oz"), "after-restart-2")
        .await
        .unwrap();
    assert!(
        !second.offline,
        "served by the restarted data centre, by modem"
    );
    eprintln!(
        "modem: the first purchase after the remote access server restarted took {} ms",
        started.elapsed().as_millis()
    );
    assert_eq!(second.piece_serial, first.piece_serial + 1);
    restarted.kill();
}

fn result(port: &mut SerialPort, pending: &mut Vec<u8>) -> ResultCode {
    read_result(port, pending, Instant::now() + Duration::from_secs(3)).unwrap()
}

fn send(port: &mut SerialPort, text: &str) {
    port.write_all_until(text.as_bytes(), Instant::now() + Duration::from_secs(3))
        .unwrap();
}

/// The line itself: a call rings, connects and carries bytes; an end reset in the middle
/// of the other end's data hangs the call up.
#[test]
fn a_call_connects_carries_bytes_and_a_reset_end_hangs_it_up() {
    let line = PhoneLine::start(LineSettings::default()).unwrap();
    let open = |path: &str| SerialPort::open(path, 115_200, FlowControl::RtsCts).unwrap();
    let (mut station, mut centre) = (open(&line.station_path), open(&line.centre_path));
    let (mut at_station, mut at_centre) = (Vec::new(), Vec::new());
    send(&mut station, "ATDT5550100\r");
    assert_eq!(result(&mut centre, &mut at_centre), ResultCode::Ring);
    send(&mut centre, "ATA\r");
    assert_eq!(
        result(&mut centre, &mut at_centre),
        ResultCode::Connect(33_600)
    );
    assert_eq!(
        result(&mut station, &mut at_station),
        ResultCode::Connect(33_600)
    );
    // The data centre's end restarts mid-call while the station is still sending: its
    // reset hangs the call up all the same (the guard counts what it sends itself).
    send(&mut station, &"x".repeat(2_000));
    reset_line(&mut centre, &mut at_centre);
    assert_eq!(result(&mut station, &mut at_station), ResultCode::NoCarrier);
    send(&mut centre, "ATZ\r");
    assert_eq!(result(&mut centre, &mut at_centre), ResultCode::Ok);
}

/// A modem line the data centre cannot open stops its start with the device named, rather
/// than leaving a data centre that answers no calls.
#[tokio::test]
async fn a_modem_line_that_cannot_be_opened_stops_the_start() {
    let fixture = VendorFixture::create(StoreKind::Sqlite).await.unwrap();
    let serve = ["serve", "--listen", "127.0.0.1:0"];
    for arguments in [&["answer"][..], &serve[..]] {
        let command = arguments[0];
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("--data-dir")
            .arg(fixture.dir.path())
            .arg("vendor")
            .args(arguments)
            .args([
                "--store",
                &fixture.location,
                "--modem",
                "/dev/no-such-modem",
            ])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "vendor {command}: {said}");
        assert!(
            said.contains("the modem line /dev/no-such-modem: cannot open it"),
            "vendor {command}: {said}"
        );
    }
}
