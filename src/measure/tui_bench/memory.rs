//! How much memory the counter holds, from the kernel's own account (`/proc/<pid>/status`).
//!
//! `VmHWM` is the peak resident set over the process's whole life (its high-water mark), so
//! one reading at the end of a session covers every moment of it; `VmRSS` is what it holds
//! at the moment of the reading.

use std::io;

/// Resident memory of a process, in KiB as the kernel reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryUse {
    pub peak_resident_kib: u64,
    pub resident_kib: u64,
}

impl MemoryUse {
    pub fn peak_resident_bytes(&self) -> u64 {
        self.peak_resident_kib.saturating_mul(1024)
    }

    pub fn resident_bytes(&self) -> u64 {
        self.resident_kib.saturating_mul(1024)
    }
}

/// Reads the memory use of the running process `pid`.
pub fn read_memory(pid: u32) -> io::Result<MemoryUse> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_status(&status).ok_or_else(|| {
        io::Error::other(format!(
            "/proc/{pid}/status has no VmHWM and VmRSS lines (is it a kernel thread?)"
        ))
    })
}

fn parse_status(status: &str) -> Option<MemoryUse> {
    let kib = |name: &str| {
        status.lines().find_map(|line| {
            let value = line.strip_prefix(name)?.strip_prefix(':')?;
            value.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()
        })
    };
    Some(MemoryUse {
        peak_resident_kib: kib("VmHWM")?,
        resident_kib: kib("VmRSS")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_and_current_resident_sizes_are_read_from_a_status_file() {
        let status = "Name:\tpostcounter\nVmPeak:\t  812344 kB\nVmHWM:\t   41236 kB\nVmRSS:\t   39100 kB\nThreads:\t5\n";
        assert_eq!(
            parse_status(status),
            Some(MemoryUse {
                peak_resident_kib: 41_236,
                resident_kib: 39_100
            })
        );
    }

    #[test]
    fn a_status_without_resident_sizes_is_refused() {
        assert_eq!(parse_status("Name:\tkthreadd\nVmPeak:\t0 kB\n"), None);
    }

    #[test]
    fn this_process_has_a_peak_at_least_as_large_as_its_current_size() {
        let memory = read_memory(std::process::id()).unwrap();
        assert!(memory.resident_kib > 0);
        assert!(memory.peak_resident_kib >= memory.resident_kib);
    }
}
