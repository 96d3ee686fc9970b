//! Builds the compact ZIP directory the binary embeds: one line per record of the `zipcodes`
//! crate's directory, `zip<TAB>city<TAB>state<TAB>lat<TAB>long`, in the crate's order.
//!
//! The crate ships its 43,000 records as bzip2-compressed JSON and unpacks and parses all of
//! it, every field of every record, on first use: about 60 MB at the peak and half a second,
//! in the middle of a customer's first sale. Doing that here, once per build, leaves the
//! counter a 1.4 MB text table it indexes in a few milliseconds.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let mut table = String::new();
    for record in zipcodes::database() {
        let clean = |text: &str| text.replace(['\t', '\n', '\r'], " ");
        let _ = writeln!(
            table,
            "{}\t{}\t{}\t{}\t{}",
            clean(&record.zip_code),
            clean(&record.city),
            clean(&record.state),
            clean(&record.lat),
            clean(&record.long)
        );
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(error) = std::fs::write(out_dir.join("zip_directory.tsv"), table) {
        println!("cargo::error=cannot write the ZIP directory: {error}");
    }
}
