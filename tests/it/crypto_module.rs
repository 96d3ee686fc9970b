//! Each processing server signs through its own cryptographic module (claims 10, 30, 50):
//! a SoftHSM2 token per server, the PSD keys generated inside and never extractable, every
//! indicium naming its server's certificate and verifying under the data centre's exported
//! keys. Driven as an operator would: `admin`, a separate `vendor serve`, a linked counter.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::data_centre::Counter;
use crate::common::softhsm::{SoftHsm, set_mode};
use crate::common::vendor_process::VendorProcess;

const PSD_ID: &str = "20000007";

fn run(data_dir: &Path, env: &[(String, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap()
}

fn succeeded(output: Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn verify(data_dir: &Path, file: &Path, keys: &Path) -> serde_json::Value {
    let output = run(
        data_dir,
        &[],
        &[
            "verify",
            "--json",
            "--keys",
            keys.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A data centre whose two processing servers have tokens, with an account, a central PSD
/// and an enrollment code; the code.
fn data_centre(centre: &Path, env: &[(String, String)]) -> (String, String) {
    succeeded(run(centre, env, &["admin", "root-create"]));
    succeeded(run(
        centre,
        env,
        &["admin", "account-create", "A1", "--name", "Main St"],
    ));
    succeeded(run(
        centre,
        env,
        &["admin", "account-credit", "A1", "200.00", "--id", "c1"],
    ));
    let created = succeeded(run(
        centre,
        env,
        &["admin", "psd-create", "--account", "A1", "--psd-id", PSD_ID],
    ));
    let code = succeeded(run(
        centre,
        env,
        &[
            "admin",
            "counter-enroll",
            "--account",
            "A1",
            "--zip",
            "02134",
        ],
    ));
    (created, code.trim().to_string())
}

#[test]
fn each_processing_server_signs_in_its_own_token_with_keys_that_never_leave_it() {
    let Some(hsm) = SoftHsm::with_tokens("crypto_module", &["ps-1", "ps-2"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let centre = dir.path().join("centre");
    let env = hsm.vendor_env();
    let (created, code) = data_centre(&centre, &env);
    // One key per server, generated in its token, each with a certificate of its own.
    let serials: Vec<String> = created
        .lines()
        .filter_map(|line| line.split("certificate ").nth(1))
        .map(|serial| serial.trim_end_matches(')').to_string())
        .collect();
    assert!(created.contains("processing server ps-1"), "{created}");
    assert!(created.contains("processing server ps-2"), "{created}");
    assert_eq!(serials.len(), 3, "{created}");
    assert_ne!(serials[0], serials[1], "{created}");
    assert!(
        !centre
            .join("vendor/keys")
            .join(format!("psd-{PSD_ID}.key.pem"))
            .exists(),
        "a token PSD has no key file"
    );

    let settings: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let store = centre.join("vendor/vendor.sqlite");
    let vendor =
        VendorProcess::spawn_configured(&centre, store.to_str().unwrap(), "127.0.0.1:0", &settings);
    let counter = Counter {
        data_dir: dir.path().join("counter"),
        code,
        endpoint: vendor.url.clone(),
    };
    let exported = dir.path().join("exported");
    let mut signed_under = Vec::new();
    for index in 0..4 {
        let sold = counter.command(&vendor.url, crate::common::SELL_ONE_LETTER_JSON);
        let sold: serde_json::Value =
            serde_json::from_slice(&succeeded(sold).into_bytes()).unwrap();
        assert_eq!(sold["offline"], false, "{sold}");
        let file = dir.path().join(format!("piece-{index}.hex"));
        std::fs::write(&file, sold["indicium_hex"].as_str().unwrap()).unwrap();
        signed_under.push(file);
    }
    succeeded(run(
        &centre,
        &env,
        &["keys", "export", "--out", exported.to_str().unwrap()],
    ));
    let mut seen = Vec::new();
    for file in &signed_under {
        let verified = verify(&counter.data_dir, file, &exported);
        assert_eq!(verified["valid"], true, "{verified}");
        let serial = verified["certificate_serial"].to_string();
        assert!(
            serials[..2].contains(&serial),
            "{serial} not in {serials:?}"
        );
        seen.push(serial);
    }
    // Round robin: both servers signed, each under its own token's certificate.
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 2, "{seen:?}");

    // An independent PKCS#11 client sees each key generated in its token ("local"),
    // sensitive from birth and never extractable: the token refuses to export its value.
    for label in ["ps-1", "ps-2"] {
        let listed = hsm.pkcs11_tool(label, &["--list-objects", "--type", "privkey"]);
        let listed = succeeded(listed);
        assert!(
            listed.contains(&format!("postcounter PSD {PSD_ID}")),
            "{listed}"
        );
        for property in ["always sensitive", "never extractable", "local"] {
            assert!(
                listed.contains(property),
                "{label} key not {property}: {listed}"
            );
        }
    }
}

#[test]
fn a_token_module_without_its_pin_or_its_token_stops_the_start_with_the_reason() {
    let Some(hsm) = SoftHsm::with_tokens("crypto_module_refusals", &["ps-1"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let centre = dir.path().join("centre");
    let env = hsm.vendor_env();
    succeeded(run(&centre, &env, &["admin", "root-create"]));
    succeeded(run(
        &centre,
        &env,
        &["admin", "account-create", "A1", "--name", "Main St"],
    ));
    let create = ["admin", "psd-create", "--account", "A1", "--psd-id", PSD_ID];

    // ps-2 (a default server) has no token: refused, naming the token it looked for.
    let refused = run(&centre, &env, &create);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("no PKCS#11 token labelled \"ps-2\""),
        "{said}"
    );

    // A PIN file others can read is refused before the token is touched.
    set_mode(&hsm.pin_file, 0o644);
    let refused = run(&centre, &env, &create);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("readable by others"), "{said}");

    // A wrong PIN is the token's refusal.
    let wrong: PathBuf = dir.path().join("wrong.pin");
    std::fs::write(&wrong, "000000\n").unwrap();
    set_mode(&wrong, 0o600);
    let mut wrong_env = env.clone();
    wrong_env.retain(|(key, _)| key != "POSTCOUNTER_VENDOR__PKCS11_PIN_FILE");
    wrong_env.push((
        "POSTCOUNTER_VENDOR__PKCS11_PIN_FILE".into(),
        wrong.display().to_string(),
    ));
    let refused = run(&centre, &wrong_env, &create);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("refused the user PIN"), "{said}");
}

#[test]
fn loadtest_measures_the_software_module_and_softhsm2_each_beside_its_ceiling() {
    let Some(hsm) = SoftHsm::with_tokens("crypto_module_loadtest", &["ps-1", "ps-2"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &hsm.env(),
        &[
            "loadtest",
            "--seconds",
            "1",
            "--counters",
            "4",
            "--modules",
            "software,pkcs11",
            "--pkcs11-pin-file",
            hsm.pin_file.to_str().unwrap(),
        ],
    );
    let said = succeeded(output);
    let summary: Vec<&str> = said
        .lines()
        .skip_while(|l| !l.starts_with("summary"))
        .collect();
    assert_eq!(summary.len(), 3, "{said}");
    for (line, module) in summary[1..].iter().zip(["software", "pkcs11"]) {
        assert!(line.trim_start().starts_with(module), "{said}");
        assert!(line.contains("indicia/s, p99"), "{line}");
        assert!(line.contains("sign-only ceiling"), "{line}");
        assert!(!line.contains("REFUSALS"), "{said}");
    }
    assert_eq!(said.matches("audit: PSD").count(), 2, "{said}");
}

/// A processing server signs no piece dated after its certificate for the PSD ends: such a
/// piece would never verify. The fixture's key file is certified for a year; a vendor whose
/// clock reads five days before its end sells today's letter, and refuses one dated a week
/// ahead, saying which certificate ends when, and issues nothing for it; today's letters
/// sent with it are sold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_piece_is_signed_for_a_date_after_its_certificate_ends() {
    use crate::common::vendor::StoreKind;
    use crate::common::vendor::{TestVendor, letter, message_of};
    use postcounter::date::Date;
    use std::sync::atomic::Ordering;

    let (clock, now_unix_ms) = crate::common::manual_clock();
    let certificate_ends = Date::today_utc().add_days(365);
    let today = certificate_ends.add_days(-5);
    let vendor = TestVendor::start_with_clock(StoreKind::Sqlite, clock.clone())
        .await
        .unwrap();
    // Enrolled now; the purchases are made a year on, the counter's clock with the vendor's.
    let mut counter = vendor.counter("A1").await;
    counter.clock = clock;
    now_unix_ms.store(
        postcounter::clock::start_of_day_unix_ms(today) + 3_600_000,
        Ordering::SeqCst,
    );
    let dated = |date: Date| {
        let mut piece = letter();
        piece["mailing_date"] = date.to_string().into();
        piece
    };
    let (status, answer) = counter.buy("today", vec![dated(today)]).await;
    assert_eq!(status, 201, "{answer}");
    // Sent together, so that they may share a batch: the refusal is next week's alone.
    let todays = (0..8).map(|i| {
        let (key, counter, piece) = (format!("today-{i}"), &counter, dated(today));
        async move { counter.buy(&key, vec![piece]).await }
    });
    let (others, (status, answer)) = tokio::join!(
        futures_util::future::join_all(todays),
        counter.buy("next-week", vec![dated(today.add_days(7))])
    );
    for (status, answer) in &others {
        assert_eq!(*status, 201, "{answer}");
    }

    assert_eq!(status, 423, "{answer}");
    assert!(
        message_of(&answer).contains(&format!(
            "ends {certificate_ends}, before the date of mailing {}",
            today.add_days(7)
        )),
        "{answer}"
    );
    let pieces: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM piece")
        .fetch_one(vendor.store.pool())
        .await
        .unwrap();
    assert_eq!(pieces, 9, "today's nine letters, and nothing for next week");
}
