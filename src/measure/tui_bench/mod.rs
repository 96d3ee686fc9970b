//! `postcounter bench-tui`: how fast the counter screen draws and answers, and how much
//! memory it holds over a long session, printed as figures against the counter's targets
//! (start-up under 200 ms, keypress to frame under 5 ms, every screen's render under 1 ms,
//! peak RSS under 50 MB over 100 sales).
//!
//! Speed is measured here and never asserted in tests: timed tests fail on a busy CI
//! machine and pass on a fast one, and say nothing either way. Render times are taken in
//! process ([`render_timing`]); everything else runs the real binary on a pseudo-terminal
//! ([`pty_session`]) and reads its screen through a small terminal model
//! ([`screen_model`]), so the figures include crossterm, the event loop and the tty.

mod args;
mod keypress;
mod memory;
mod percentiles;
mod pty_session;
mod render_timing;
mod report;
mod sales;
mod scenes;
mod scratch_dir;
mod screen_model;
mod session_error;
mod startup;

pub use args::{TerminalSize, TuiBenchArgs};
pub use memory::MemoryUse;
pub use percentiles::Percentiles;
pub use render_timing::ScreenRenderTiming;
pub use report::TuiBenchReport;
pub use screen_model::ScreenModel;
pub use session_error::{SessionError, SessionErrorKind};

use std::path::Path;
use std::time::Duration;

use anyhow::ensure;

use pty_session::Launch;
use scratch_dir::ScratchDir;
use startup::QUIT_KEY;

/// Runs the whole benchmark against the counter `binary` (the running executable, when run
/// as `postcounter bench-tui`), in a scratch folder removed afterwards.
pub fn run(args: &TuiBenchArgs, binary: &Path) -> anyhow::Result<TuiBenchReport> {
    ensure!(
        binary.is_file(),
        "{} is not a file: bench-tui needs the postcounter binary to start",
        binary.display()
    );
    let renders = render_timing::time_all_screens(args.render_iterations)?;
    let scratch = ScratchDir::create("postcounter-bench-tui")?;
    let launch = Launch {
        binary: binary.to_path_buf(),
        data_dir: scratch.path().join("data"),
        work_dir: scratch.path().to_path_buf(),
        size: args.size,
        wait_timeout: Duration::from_secs(args.wait_timeout_s.max(1)),
    };
    let starts = startup::time_starts(&launch, &launch.data_dir, args.starts)?;
    let (_, mut session) = startup::start(&launch, "session")?;
    let keypresses = keypress::time_keypresses(&mut session, args.keypress_samples)?;
    let sales = sales::run_sales(&mut session, args.sales, &launch.data_dir)?;
    let status = session.quit(QUIT_KEY)?;
    ensure!(
        status.success(),
        "the counter exited with {status} after the sales"
    );
    Ok(TuiBenchReport {
        render_iterations: args.render_iterations,
        renders,
        terminal: args.size,
        fresh_starts: Percentiles::of(&starts.fresh),
        warm_starts: Percentiles::of(&starts.warm),
        keypress_to_frame: Percentiles::of(&keypresses),
        sales: Percentiles::of(&sales.sale_times),
        first_sale: sales.sale_times.first().copied().unwrap_or_default(),
        sales_total: sales.total,
        memory_before_sales: sales.memory_before,
        memory: sales.memory,
        labels_printed: sales.labels_printed,
    })
}
