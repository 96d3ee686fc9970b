//! Start-up to first frame: from spawning the counter to the moment the first complete frame
//! of the weigh screen has arrived.
//!
//! A first run on an empty data folder also creates the PSD's keys, its ledger and the demo
//! refill, so fresh and warm starts are timed apart; each fresh start gets its own folder.
//! The first fresh folder is the one the warm starts and the sales session reuse.

use std::path::Path;
use std::time::Duration;

use anyhow::ensure;

use super::pty_session::{Launch, PtySession};

/// The weigh screen's title in counter mode: the first screen of every sale.
pub const WEIGH_TITLE: &str = "· Weigh the piece ·";
/// Ctrl+Q.
pub const QUIT_KEY: &[u8] = &[0x11];

#[derive(Clone, Debug, Default)]
pub struct StartTimes {
    pub fresh: Vec<Duration>,
    pub warm: Vec<Duration>,
}

/// `base` with its data folder set to `work_dir/name`.
pub fn with_data_dir(base: &Launch, name: &str) -> Launch {
    Launch {
        data_dir: base.work_dir.join(name),
        ..base.clone()
    }
}

/// Starts the counter and waits for its first frame; returns how long that took and the
/// running counter.
pub fn start(launch: &Launch, name: &str) -> anyhow::Result<(Duration, PtySession)> {
    let mut session = PtySession::spawn(launch, name)?;
    let drawn = session.wait_until("the first frame of the weigh screen", |screen| {
        screen.contains(WEIGH_TITLE)
    })?;
    let took = drawn.saturating_duration_since(session.spawned_at());
    session.confirm_counter_pid(&launch.binary)?;
    Ok((took, session))
}

/// Times `starts` fresh starts, then `starts` warm ones on the first fresh start's folder
/// (`warm_data`).
pub fn time_starts(base: &Launch, warm_data: &Path, starts: u32) -> anyhow::Result<StartTimes> {
    let mut times = StartTimes::default();
    for n in 1..=starts {
        let launch = if n == 1 {
            Launch {
                data_dir: warm_data.to_path_buf(),
                ..base.clone()
            }
        } else {
            with_data_dir(base, &format!("data-fresh-{n}"))
        };
        times
            .fresh
            .push(start_and_quit(&launch, &format!("fresh-{n}"))?);
    }
    let warm = Launch {
        data_dir: warm_data.to_path_buf(),
        ..base.clone()
    };
    for n in 1..=starts {
        times
            .warm
            .push(start_and_quit(&warm, &format!("warm-{n}"))?);
    }
    Ok(times)
}

fn start_and_quit(launch: &Launch, name: &str) -> anyhow::Result<Duration> {
    let (took, session) = start(launch, name)?;
    let status = session.quit(QUIT_KEY)?;
    ensure!(
        status.success(),
        "the counter ({name}) exited with {status} after Ctrl+Q"
    );
    Ok(took)
}
