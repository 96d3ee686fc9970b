//! A simulated MT-SICS scale on a pseudo-terminal, for tests and demos.
//!
//! Like [`crate::scale::nci::NciSimulator`], it behaves as a scale rather than a script: a
//! load sits on the platter, `Z` takes it as zero within a zeroing range (refused while
//! moving), `S` answers `S I` while the piece moves, `SI` answers `S D`, over capacity is
//! `S +` and below zero `S -`. It can fall silent to exercise the driver's timeout.

use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::frame::{SicsCommand, SicsReply, ZeroRefusal, encode_reply, shown};
use crate::scale::DisplayUnit;
use crate::scale::pty::LineDevice;
use crate::weight::Weight;

/// Level-0 command lines are short; more is noise.
const MAX_COMMAND_BYTES: usize = 32;

#[derive(Debug)]
struct Platter {
    load: Weight,
    zero_offset: Weight,
    capacity: Weight,
    /// The largest load `Z` takes as zero (a scale zeroes a few percent of its capacity).
    zero_range: Weight,
    in_motion: bool,
    unit: DisplayUnit,
    silent: bool,
    commands: Vec<String>,
}

/// Sets what the simulated scale has on its platter; cheap to clone, usable from any thread.
#[derive(Clone, Debug)]
pub struct SicsSimulatorHandle {
    platter: Arc<Mutex<Platter>>,
}

#[derive(Debug)]
pub struct SicsSimulator {
    handle: SicsSimulatorHandle,
    device: LineDevice,
}

impl SicsSimulator {
    /// Starts a 60 lb shipping scale (as a PS60) in pounds with an empty platter.
    pub fn start() -> io::Result<SicsSimulator> {
        let handle = SicsSimulatorHandle {
            platter: Arc::new(Mutex::new(Platter {
                load: Weight::ZERO,
                zero_offset: Weight::ZERO,
                capacity: Weight::from_pounds(60),
                zero_range: Weight::from_pounds(1),
                in_motion: false,
                unit: DisplayUnit::Pounds,
                silent: false,
                commands: Vec::new(),
            })),
        };
        let device_handle = handle.clone();
        let device = LineDevice::start("sics-simulator", MAX_COMMAND_BYTES, move |line| {
            device_handle.respond(line)
        })?;
        Ok(SicsSimulator { handle, device })
    }

    /// The device path to give the driver, like `/dev/pts/3`.
    pub fn path(&self) -> &str {
        self.device.path()
    }

    pub fn handle(&self) -> SicsSimulatorHandle {
        self.handle.clone()
    }
}

impl SicsSimulatorHandle {
    fn platter(&self) -> MutexGuard<'_, Platter> {
        self.platter.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_load(&self, load: Weight) {
        self.platter().load = load;
    }

    pub fn set_motion(&self, in_motion: bool) {
        self.platter().in_motion = in_motion;
    }

    pub fn set_unit(&self, unit: DisplayUnit) {
        self.platter().unit = unit;
    }

    /// A silent scale answers nothing, like one switched off.
    pub fn set_silent(&self, silent: bool) {
        self.platter().silent = silent;
    }

    /// Every command line received so far (`"SI"`, `"Z"`, ...), oldest first.
    pub fn received_commands(&self) -> Vec<String> {
        self.platter().commands.clone()
    }

    fn respond(&self, line: &[u8]) -> Option<Vec<u8>> {
        let mut platter = self.platter();
        let text = String::from_utf8_lossy(line).into_owned();
        platter.commands.push(text);
        if platter.silent {
            return None;
        }
        let reply = match SicsCommand::parse(line) {
            Some(SicsCommand::StableWeight) if platter.in_motion => SicsReply::WeightNotNow,
            Some(SicsCommand::StableWeight) => platter.weight(true),
            Some(SicsCommand::ImmediateWeight) => platter.weight(!platter.in_motion),
            Some(SicsCommand::Zero) => platter.zero(),
            None => SicsReply::CommandError('S'),
        };
        Some(encode_reply(&reply))
    }
}

impl Platter {
    fn weight(&self, stable: bool) -> SicsReply {
        let (load, zero) = (self.load.picograms(), self.zero_offset.picograms());
        match load.checked_sub(zero).map(Weight::from_picograms) {
            None => SicsReply::UnderZero,
            Some(net) if net > self.capacity => SicsReply::OverCapacity,
            Some(net) => SicsReply::Weight {
                weight: shown(net, false, self.unit),
                stable,
            },
        }
    }

    fn zero(&mut self) -> SicsReply {
        if self.in_motion {
            SicsReply::NotZeroed(ZeroRefusal::NotNow)
        } else if self.load > self.zero_range {
            SicsReply::NotZeroed(ZeroRefusal::AboveRange)
        } else {
            self.zero_offset = self.load;
            SicsReply::Zeroed
        }
    }
}
