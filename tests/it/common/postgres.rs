//! PostgreSQL for the integration tests: the server CI starts with `.ci/postgres.sh`, found
//! through `POSTCOUNTER_TEST_PG`, and a fresh empty database per test, dropped when it ends.
//!
//! A whole database per test (not a schema or a rolled-back transaction) because the store
//! under test runs its own migrations, opens its own pools and commits for real. Tests in a
//! binary run in parallel and binaries may run at once, so a name carries the process id, a
//! counter and random characters. Without a server a developer's `cargo test` skips these
//! tests with a note; under CI a missing server is an error, so the suite cannot silently
//! shrink. The drop runs on its own thread and runtime: a `Drop` cannot await, and the test's
//! runtime may be a busy current-thread one or already shutting down.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use rand::RngExt;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The variable `.ci/postgres.sh` prints: a URL to the server's `postgres` database, with a
/// login that may create databases.
#[allow(dead_code)]
pub const SERVER_VAR: &str = "POSTCOUNTER_TEST_PG";

/// PostgreSQL's limit on identifier length (NAMEDATALEN - 1), in bytes.
const MAX_NAME_BYTES: usize = 63;
/// How long a drop may wait for the server before leaving the database behind.
const DROP_TIMEOUT_MS: u64 = 10_000;

/// The server URL, or `None` if there is no server (skip the test with [`skip_note`]).
///
/// # Panics
/// If `CI` is set but `POSTCOUNTER_TEST_PG` is not: CI must test against PostgreSQL.
#[allow(dead_code)]
pub fn server_url() -> Option<String> {
    if let Some(url) = std::env::var(SERVER_VAR).ok().filter(|url| !url.is_empty()) {
        return Some(url);
    }
    let under_ci = super::under_ci();
    assert!(
        !under_ci,
        "{SERVER_VAR} is not set but CI is: start the server with \
         `export \"$(.ci/postgres.sh | tail -1)\"` before `cargo test`"
    );
    None
}

/// The one-line note a test prints when it returns early for want of a server.
#[allow(dead_code)]
pub fn skip_note(test: &str) {
    eprintln!("{test}: skipped: no PostgreSQL (set {SERVER_VAR}, see .ci/postgres.sh)");
}

/// An empty database of its own on the test server; dropped (forcibly) with this value.
#[allow(dead_code)]
#[derive(Debug)]
pub struct TestDatabase {
    /// The server URL with this database in place of `postgres`.
    pub url: String,
    pub name: String,
    server_url: String,
}

/// A new empty database named after `label`, or `None` if there is no server.
///
/// # Panics
/// If the server is configured but refuses the connection or the `CREATE DATABASE`.
#[allow(dead_code)]
pub async fn fresh_database(label: &str) -> Option<TestDatabase> {
    let server_url = server_url()?;
    let name = database_name(label);
    let mut server = PgConnection::connect(&server_url)
        .await
        .unwrap_or_else(|error| panic!("connect to {SERVER_VAR}={server_url}: {error}"));
    // `name` is built from [a-z0-9_] only, so quoting it is enough.
    sqlx::raw_sql(AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#)))
        .execute(&mut server)
        .await
        .unwrap_or_else(|error| panic!("create test database {name}: {error}"));
    // Closing is a courtesy to the server; the database exists either way.
    let _ = server.close().await;
    Some(TestDatabase {
        url: with_database(&server_url, &name),
        name,
        server_url,
    })
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server_url = self.server_url.clone();
        let name = self.name.clone();
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            drop_database(&server_url, &name);
            let _ = done.send(());
        });
        // A hung server must not hang the test; a left-over database is only clutter.
        let _ = finished.recv_timeout(Duration::from_millis(DROP_TIMEOUT_MS));
    }
}

/// Best-effort cleanup: errors are ignored, as a failed drop only leaves clutter behind.
fn drop_database(server_url: &str, name: &str) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        let Ok(mut server) = PgConnection::connect(server_url).await else {
            return;
        };
        // FORCE ends sessions the test left open (pools not yet closed); all of them are the
        // test role's, which may terminate its own sessions.
        let sql = format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#);
        let _ = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut server).await;
        let _ = server.close().await;
    });
}

/// `pct_<label>_<pid>_<counter>_<random>`: lowercase, [a-z0-9_], at most 63 bytes, unique
/// across the tests of a process (counter) and across processes and runs (pid, random).
fn database_name(label: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut rng = rand::rng();
    let random: String = (0..6)
        .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.random_range(0..36)]))
        .collect();
    let suffix = format!("_{}_{counter}_{random}", std::process::id());
    let label: String = label
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            _ => '_',
        })
        .take(MAX_NAME_BYTES - "pct_".len() - suffix.len())
        .collect();
    format!("pct_{label}{suffix}")
}

/// `server_url` with its database path replaced by `name`, keeping any `?` parameters.
fn with_database(server_url: &str, name: &str) -> String {
    let authority_start = server_url.find("://").map_or(0, |at| at + "://".len());
    let (scheme, rest) = server_url.split_at(authority_start);
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    let query = path_and_query
        .find('?')
        .map_or("", |at| &path_and_query[at..]);
    format!("{scheme}{authority}/{name}{query}")
}
