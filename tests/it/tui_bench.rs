//! `bench-tui`'s harness against the real binary, with tiny counts: it must start the
//! counter on a pseudo-terminal, take keypresses, complete real cash sales and read the
//! memory. No figure is asserted: speed is reported by the benchmark, never tested.

use std::path::Path;

use postcounter::measure::tui_bench::{TuiBenchArgs, run};

#[test]
fn the_benchmark_drives_real_sales_through_the_counter_screen_and_reads_its_memory() {
    let args = TuiBenchArgs {
        sales: 2,
        keypress_samples: 3,
        render_iterations: 2,
        starts: 1,
        ..TuiBenchArgs::default()
    };
    let report = run(&args, Path::new(env!("CARGO_BIN_EXE_postcounter"))).unwrap();
    assert_eq!(report.sales.count, 2);
    assert_eq!(report.labels_printed, 2, "{report}");
    assert_eq!(report.keypress_to_frame.count, 3);
    assert_eq!(
        (report.fresh_starts.count, report.warm_starts.count),
        (1, 1)
    );
    assert!(report.memory.peak_resident_kib >= report.memory.resident_kib);
    assert!(report.memory.peak_resident_kib >= report.memory_before_sales.peak_resident_kib);
    let printed = report.to_string();
    assert!(
        printed.contains("render done/change due 80x24"),
        "{printed}"
    );
    assert!(printed.contains("keypress to frame"), "{printed}");
}
