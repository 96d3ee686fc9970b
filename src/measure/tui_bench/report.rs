//! The figures of one `bench-tui` run and the table they print as, each against the target
//! the counter is held to.
//!
//! Each target is judged on the figure that matters to a clerk: the 99th percentile for
//! things that happen all the time (a render, a keypress), the worst case for a start-up,
//! the kernel's high-water mark for memory. A figure over its target reads OVER; the run
//! still succeeds, because a benchmark reports and a person decides.

use std::fmt;
use std::time::Duration;

use super::args::TerminalSize;
use super::memory::MemoryUse;
use super::percentiles::Percentiles;
use super::render_timing::ScreenRenderTiming;

pub const RENDER_TARGET: Duration = Duration::from_millis(1);
pub const START_TARGET: Duration = Duration::from_millis(200);
pub const KEYPRESS_TARGET: Duration = Duration::from_millis(5);
/// 50 MB, in bytes (decimal megabytes: the stricter reading of the target).
pub const PEAK_RESIDENT_TARGET_BYTES: u64 = 50_000_000;

#[derive(Clone, Debug)]
pub struct TuiBenchReport {
    pub render_iterations: u32,
    pub renders: Vec<ScreenRenderTiming>,
    /// The pseudo-terminal's size for the real-binary figures.
    pub terminal: TerminalSize,
    pub fresh_starts: Percentiles,
    pub warm_starts: Percentiles,
    pub keypress_to_frame: Percentiles,
    pub sales: Percentiles,
    /// The first sale alone: it also pays for the first ZIP lookup.
    pub first_sale: Duration,
    pub sales_total: Duration,
    /// Before the first sale (after start-up and the keypresses).
    pub memory_before_sales: MemoryUse,
    /// After the last sale.
    pub memory: MemoryUse,
    pub labels_printed: usize,
}

impl TuiBenchReport {
    /// Every figure is within its target.
    pub fn within_targets(&self) -> bool {
        self.renders.iter().all(|r| r.timings.p99 < RENDER_TARGET)
            && [self.fresh_starts.max, self.warm_starts.max]
                .iter()
                .all(|max| *max < START_TARGET)
            && self.keypress_to_frame.p99 < KEYPRESS_TARGET
            && self.memory.peak_resident_bytes() < PEAK_RESIDENT_TARGET_BYTES
    }

    fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = self
            .renders
            .iter()
            .map(|r| {
                let measure = format!("render {} {}x{}", r.screen, r.width, r.height);
                Row::timed(measure, &r.timings).judged("p99", r.timings.p99, RENDER_TARGET)
            })
            .collect();
        rows.push(
            Row::timed(
                "start-up to first frame, fresh data".into(),
                &self.fresh_starts,
            )
            .judged("max", self.fresh_starts.max, START_TARGET),
        );
        rows.push(
            Row::timed(
                "start-up to first frame, warm data".into(),
                &self.warm_starts,
            )
            .judged("max", self.warm_starts.max, START_TARGET),
        );
        rows.push(
            Row::timed("keypress to frame".into(), &self.keypress_to_frame).judged(
                "p99",
                self.keypress_to_frame.p99,
                KEYPRESS_TARGET,
            ),
        );
        rows.push(Row::timed("time per cash sale".into(), &self.sales));
        rows.push(Row {
            measure: "  the first sale (first ZIP lookup)".into(),
            p50: millis(self.first_sale),
            ..Row::default()
        });
        rows.push(Row {
            measure: "peak RSS before the first sale".into(),
            p50: megabytes(self.memory_before_sales.peak_resident_bytes()),
            judged_on: "VmHWM",
            ..Row::default()
        });
        let peak = self.memory.peak_resident_bytes();
        rows.push(Row {
            measure: format!("peak RSS, start to {} sales", self.sales.count),
            p50: megabytes(peak),
            judged_on: "VmHWM",
            target: "< 50 MB".into(),
            verdict: verdict(peak < PEAK_RESIDENT_TARGET_BYTES),
            ..Row::default()
        });
        rows.push(Row {
            measure: "RSS after the sales".into(),
            p50: megabytes(self.memory.resident_bytes()),
            judged_on: "VmRSS",
            ..Row::default()
        });
        rows
    }
}

/// One line of the table; empty cells print as blanks.
#[derive(Default)]
struct Row {
    measure: String,
    count: String,
    p50: String,
    p99: String,
    max: String,
    target: String,
    judged_on: &'static str,
    verdict: &'static str,
}

impl Row {
    fn timed(measure: String, timings: &Percentiles) -> Row {
        Row {
            measure,
            count: timings.count.to_string(),
            p50: millis(timings.p50),
            p99: millis(timings.p99),
            max: millis(timings.max),
            ..Row::default()
        }
    }

    fn judged(self, on: &'static str, figure: Duration, target: Duration) -> Row {
        Row {
            target: format!("< {} ms", target.as_millis()),
            judged_on: on,
            verdict: verdict(figure < target),
            ..self
        }
    }
}

fn verdict(within: bool) -> &'static str {
    if within { "PASS" } else { "OVER" }
}

fn millis(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1e3)
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

impl fmt::Display for TuiBenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "postcounter bench-tui: the counter screen on this machine"
        )?;
        writeln!(
            f,
            "  renders: in process on ratatui's TestBackend, {} draws per screen and size",
            self.render_iterations
        )?;
        writeln!(
            f,
            "  start-up, keypresses, sales: the real binary on a {} pseudo-terminal; {} sales in {:.1} s, {} labels printed",
            self.terminal,
            self.sales.count,
            self.sales_total.as_secs_f64(),
            self.labels_printed
        )?;
        writeln!(f)?;
        let rows = self.rows();
        let width = rows.iter().map(|r| r.measure.chars().count()).max();
        let width = width.unwrap_or(0).max("measure".len());
        writeln!(
            f,
            "{:<width$} {:>5} {:>10} {:>10} {:>10}  {:<9} {:<6} verdict",
            "measure", "n", "p50", "p99", "max", "target", "judged"
        )?;
        for row in rows {
            writeln!(
                f,
                "{:<width$} {:>5} {:>10} {:>10} {:>10}  {:<9} {:<6} {}",
                row.measure,
                row.count,
                row.p50,
                row.p99,
                row.max,
                row.target,
                row.judged_on,
                row.verdict
            )?;
        }
        let overall = if self.within_targets() {
            "every figure is within its target"
        } else {
            "some figures are OVER their target"
        };
        write!(f, "\n{overall}")
    }
}
