//! `postcounter simulate`: the simulators as processes a person can run beside a counter.
//! The printer answers status as told on stdin (out of paper, `sell` issues nothing; ready,
//! it prints and the simulator reports the job); the scale prints its device path and the
//! real MT-SICS driver reads the load typed on stdin.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use postcounter::scale::sics::SicsSerialScale;
use postcounter::scale::{ReadingStatus, Scale};
use postcounter::weight::Weight;

use crate::common::cli::text;

struct Simulator {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Simulator {
    fn start(args: &[&str]) -> Simulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("simulate")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Simulator {
            child,
            stdin,
            stdout,
        }
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim_end().to_string()
    }

    fn say(&mut self, command: &str) -> String {
        writeln!(self.stdin, "{command}").unwrap();
        self.line()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_printer_simulator_runs_out_of_paper_on_command() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut printer = Simulator::start(&["printer", "--listen", &address]);
    assert!(
        printer
            .line()
            .contains(&format!("transport = \"tcp:{address}\""))
    );
    assert_eq!(printer.say("paper-out"), "status: paper-out");
    let dir = tempfile::tempdir().unwrap();
    let sell = || {
        Command::new(env!("CARGO_BIN_EXE_postcounter"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["sell", "--weight", "1oz", "--to", "90210", "--no-receipt"])
            .env(
                "POSTCOUNTER_PRINTER__LABEL__TRANSPORT",
                format!("tcp:{address}"),
            )
            .output()
            .unwrap()
    };
    let refused = sell();
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("is out of paper"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(printer.say("ready"), "status: ready");
    let sold = sell();
    assert!(sold.status.success(), "{}", text(&sold.stderr));
    let job = printer.line();
    assert!(
        job.starts_with("job 1: ") && job.ends_with(" bytes"),
        "{job}"
    );
    assert!(printer.say("jam").contains("is not a command"));
}

#[test]
fn the_scale_simulator_weighs_what_is_typed() {
    let mut scale = Simulator::start(&["scale", "--protocol", "mt-sics"]);
    let opened = scale.line();
    let path = opened
        .split('"')
        .nth(3)
        .unwrap_or_else(|| panic!("no device path in {opened:?}"))
        .to_string();
    assert!(opened.contains("scale.kind = \"mt-sics\""), "{opened}");
    assert_eq!(scale.say("load 15lb"), "load: 15 lb");
    assert_eq!(scale.say("moving"), "moving");
    let mut driver = SicsSerialScale::open(&path, 9600).unwrap();
    assert_eq!(driver.read().unwrap().status, ReadingStatus::Moving);
    assert_eq!(scale.say("still"), "still");
    assert_eq!(
        driver.read().unwrap().usable_weight(),
        Some(Weight::from_pounds(15))
    );
    assert!(scale.say("load 15 furlongs").contains("15 furlongs"));
}
