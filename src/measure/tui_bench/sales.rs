//! The scripted session: complete cash sales, one after another, keyed as a clerk keys them
//! (a 1 oz letter to 90210, First-Class, paid with $20), then the counter's memory.
//!
//! Every key waits for the next screen's title in a completely drawn frame; every sale
//! issues a real indicium from the session's PSD and prints a label and a receipt to the
//! virtual printers in the scratch data folder, so the memory figure includes the ledger,
//! the signing and the printing, not just the screens.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::ensure;

use super::memory::MemoryUse;
use super::pty_session::PtySession;
use super::startup::WEIGH_TITLE;

/// F9 as an xterm sends it.
const F9: &[u8] = b"\x1b[20~";

/// Keys to type, then what the next complete frame must show (all of it).
const SALE_SCRIPT: [(&[u8], &[&str]); 6] = [
    (b"1oz\r", &["· Where is it going? ·"]),
    (b"90210\r", &["· Choose a service ·", "Beverly Hills"]),
    (b"\r", &["· Basket ·", "Basket: 1 piece(s)"]),
    (F9, &["· Payment ·", "Amount due"]),
    (b"20\r", &["· Sale complete ·"]),
    (b"\r", &[WEIGH_TITLE, "Basket: 0 piece(s)"]),
];

#[derive(Clone, Debug, Default)]
pub struct SalesRun {
    /// From the first key of a sale to the next sale's weigh screen.
    pub sale_times: Vec<Duration>,
    pub total: Duration,
    /// Read before the first sale.
    pub memory_before: MemoryUse,
    /// Read after the last sale, before quitting.
    pub memory: MemoryUse,
    /// Label print jobs (ESC/POS captures) found in the data folder afterwards.
    pub labels_printed: usize,
}

/// Runs `count` sales on a counter showing an empty weigh screen; `data_dir` is its data
/// folder, checked afterwards for the printed labels.
pub fn run_sales(
    session: &mut PtySession,
    count: u32,
    data_dir: &Path,
) -> anyhow::Result<SalesRun> {
    let memory_before = session.memory()?;
    let started = Instant::now();
    let mut sale_times = Vec::new();
    for sale in 1..=count {
        let sale_started = Instant::now();
        for (keys, shows) in SALE_SCRIPT {
            session.send(keys)?;
            let waiting_for = format!("sale {sale}: a screen showing {shows:?}");
            session.wait_until(&waiting_for, |screen| {
                shows.iter().all(|text| screen.contains(text))
            })?;
        }
        sale_times.push(sale_started.elapsed());
    }
    let total = started.elapsed();
    let memory = session.memory()?;
    let labels_printed = count_print_jobs(&data_dir.join("jobs/label"));
    ensure!(
        labels_printed == usize::try_from(count)?,
        "{count} sales ran but {labels_printed} labels are in {}",
        data_dir.join("jobs/label").display()
    );
    Ok(SalesRun {
        sale_times,
        total,
        memory_before,
        memory,
        labels_printed,
    })
}

/// The virtual printer keeps each job as an ESC/POS capture and a PNG; the captures count.
fn count_print_jobs(folder: &Path) -> usize {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().extension().is_some_and(|e| e == "escpos"))
                .count()
        })
        .unwrap_or(0)
}
