//! A simulated NCI scale on a pseudo-terminal, for tests and for a counter without a scale.
//!
//! It behaves like a bench scale, not like a canned script: a load sits on the platter, `Z`
//! takes the current load as zero (refused while moving or faulty, as scales do), a load
//! below zero reads as under capacity with a minus sign, a load over capacity sets the
//! over-capacity bit. A test sets the platter through an [`NciSimulatorHandle`] and points
//! the real driver at [`NciSimulator::path`]. It can also fall silent or answer garbage, to
//! exercise the driver's timeout and protocol errors.

use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{NciCommand, NciReply, NciStatus, encode_reply, format_weight_text};
use crate::scale::DisplayUnit;
use crate::scale::pty::LineDevice;
use crate::weight::Weight;

/// A command line longer than this is noise: it is dropped.
const MAX_COMMAND_BYTES: usize = 16;

/// How the simulator answers commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimulatorBehaviour {
    /// Like a working scale.
    Answer,
    /// Not at all, like a scale that is unplugged or switched off.
    Silent,
    /// With these bytes to every command, like a scale on the wrong baud rate.
    Garbage(Vec<u8>),
}

/// A fault the simulated scale reports in its status bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimulatedFault {
    Ram,
    Eeprom,
    Rom,
    Calibration,
}

#[derive(Debug)]
struct Platter {
    load: Weight,
    zero_offset: Weight,
    capacity: Weight,
    in_motion: bool,
    unit: DisplayUnit,
    fault: Option<SimulatedFault>,
    behaviour: SimulatorBehaviour,
    commands: Vec<String>,
}

/// Sets what the simulated scale has on its platter; cheap to clone, usable from any thread.
#[derive(Clone, Debug)]
pub struct NciSimulatorHandle {
    platter: Arc<Mutex<Platter>>,
}

#[derive(Debug)]
pub struct NciSimulator {
    handle: NciSimulatorHandle,
    device: LineDevice,
}

impl NciSimulator {
    /// Starts a scale with an empty platter, in pounds, 70 lb capacity (a postal bench scale).
    pub fn start() -> io::Result<NciSimulator> {
        let handle = NciSimulatorHandle {
            platter: Arc::new(Mutex::new(Platter {
                load: Weight::ZERO,
                zero_offset: Weight::ZERO,
                capacity: Weight::from_pounds(70),
                in_motion: false,
                unit: DisplayUnit::Pounds,
                fault: None,
                behaviour: SimulatorBehaviour::Answer,
                commands: Vec::new(),
            })),
        };
        let device_handle = handle.clone();
        let device = LineDevice::start("nci-simulator", MAX_COMMAND_BYTES, move |line| {
            device_handle.respond(line)
        })?;
        Ok(NciSimulator { handle, device })
    }

    /// The device path to give the driver, like `/dev/pts/3`.
    pub fn path(&self) -> &str {
        self.device.path()
    }

    pub fn handle(&self) -> NciSimulatorHandle {
        self.handle.clone()
    }
}

impl NciSimulatorHandle {
    fn platter(&self) -> MutexGuard<'_, Platter> {
        self.platter.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts `load` on the platter (replacing what was there).
    pub fn set_load(&self, load: Weight) {
        self.platter().load = load;
    }

    pub fn set_motion(&self, in_motion: bool) {
        self.platter().in_motion = in_motion;
    }

    pub fn set_unit(&self, unit: DisplayUnit) {
        self.platter().unit = unit;
    }

    pub fn set_capacity(&self, capacity: Weight) {
        self.platter().capacity = capacity;
    }

    pub fn set_fault(&self, fault: Option<SimulatedFault>) {
        self.platter().fault = fault;
    }

    pub fn set_behaviour(&self, behaviour: SimulatorBehaviour) {
        self.platter().behaviour = behaviour;
    }

    /// Every command line received so far, as text (`"W"`, `"Z"`, ...), oldest first.
    pub fn received_commands(&self) -> Vec<String> {
        self.platter().commands.clone()
    }

    /// What the scale sends for the command `line`, or nothing when it is silent.
    fn respond(&self, line: &[u8]) -> Option<Vec<u8>> {
        let mut platter = self.platter();
        platter
            .commands
            .push(String::from_utf8_lossy(line).into_owned());
        match &platter.behaviour {
            SimulatorBehaviour::Silent => return None,
            SimulatorBehaviour::Garbage(bytes) => return Some(bytes.clone()),
            SimulatorBehaviour::Answer => {}
        }
        let reply = match NciCommand::parse(line) {
            Some(NciCommand::Weight) => platter.weight_reply(),
            Some(NciCommand::Status) => NciReply::Status(platter.status()),
            Some(NciCommand::Zero) => {
                if !platter.in_motion && platter.fault.is_none() {
                    platter.zero_offset = platter.load;
                }
                NciReply::Status(platter.status())
            }
            None => NciReply::Unrecognized,
        };
        Some(encode_reply(&reply))
    }
}

impl Platter {
    /// The load relative to zero, and whether it is below zero.
    fn net(&self) -> (Weight, bool) {
        let (load, zero) = (self.load.picograms(), self.zero_offset.picograms());
        match load.checked_sub(zero) {
            Some(net) => (Weight::from_picograms(net), false),
            None => (Weight::from_picograms(zero - load), true),
        }
    }

    fn status(&self) -> NciStatus {
        let (net, below_zero) = self.net();
        let fault = self.fault;
        NciStatus {
            in_motion: self.in_motion,
            at_zero: net == Weight::ZERO && !self.in_motion,
            ram_error: fault == Some(SimulatedFault::Ram),
            eeprom_error: fault == Some(SimulatedFault::Eeprom),
            under_capacity: below_zero,
            over_capacity: !below_zero && net > self.capacity,
            rom_error: fault == Some(SimulatedFault::Rom),
            faulty_calibration: fault == Some(SimulatedFault::Calibration),
        }
    }

    fn weight_reply(&self) -> NciReply {
        let status = self.status();
        let (net, below_zero) = self.net();
        // Over capacity a scale cannot show a weight: its display shows dashes.
        let text = if status.over_capacity {
            "  ------".to_string()
        } else {
            format_weight_text(net, below_zero, self.unit)
        };
        NciReply::Weight { text, status }
    }
}
