//! The NCI status bytes: what the scale says about its platter and itself.
//!
//! Each status byte is an ASCII character whose bits 4 and 5 are always set (`0`..`?`), so
//! the bytes stay printable; bit 7 is the line's parity bit when the port runs 7E1 and is
//! ignored here. Byte 1: bit 0 motion, bit 1 at zero, bit 2 RAM error, bit 3 EEPROM error.
//! Byte 2: bit 0 under capacity (below zero), bit 1 over capacity, bit 2 ROM error, bit 3
//! faulty calibration, bit 6 "another byte follows". Optional further bytes (range, net/gross)
//! are accepted and not interpreted: the counter does not use them.

use super::NciFrameError;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NciStatus {
    pub in_motion: bool,
    pub at_zero: bool,
    pub ram_error: bool,
    pub eeprom_error: bool,
    /// Below zero.
    pub under_capacity: bool,
    pub over_capacity: bool,
    pub rom_error: bool,
    pub faulty_calibration: bool,
}

const ALWAYS_SET: u8 = 0b0011_0000;
const BYTE_FOLLOWS: u8 = 0b0100_0000;
const PARITY: u8 = 0b1000_0000;

impl NciStatus {
    /// The two bytes a scale sends (no parity bit: the UART adds it).
    pub fn to_bytes(self) -> [u8; 2] {
        let bits = |flags: [bool; 4]| {
            flags
                .iter()
                .enumerate()
                .fold(ALWAYS_SET, |byte, (bit, &set)| {
                    byte | (u8::from(set) << bit)
                })
        };
        [
            bits([
                self.in_motion,
                self.at_zero,
                self.ram_error,
                self.eeprom_error,
            ]),
            bits([
                self.under_capacity,
                self.over_capacity,
                self.rom_error,
                self.faulty_calibration,
            ]),
        ]
    }

    /// Parses a status line: optionally `S` (some models prefix it) then two or more bytes.
    pub fn parse_line(line: &[u8]) -> Result<NciStatus, NciFrameError> {
        let bad = |reason: &'static str| NciFrameError::BadStatus {
            line: String::from_utf8_lossy(line).escape_default().to_string(),
            reason,
        };
        let bytes = line.strip_prefix(b"S").unwrap_or(line);
        let [first, second, ..] = bytes else {
            return Err(bad("fewer than two status bytes"));
        };
        for (index, &byte) in bytes.iter().enumerate() {
            let data = byte & !PARITY;
            if data & ALWAYS_SET != ALWAYS_SET {
                return Err(bad(
                    "a status byte lacks bits 4 and 5, which are always set",
                ));
            }
            if index == 0 && data & BYTE_FOLLOWS != 0 {
                return Err(bad(
                    "the first status byte has bit 6 set, which is always clear",
                ));
            }
        }
        let bit = |byte: u8, bit: u8| byte & (1 << bit) != 0;
        Ok(NciStatus {
            in_motion: bit(*first, 0),
            at_zero: bit(*first, 1),
            ram_error: bit(*first, 2),
            eeprom_error: bit(*first, 3),
            under_capacity: bit(*second, 0),
            over_capacity: bit(*second, 1),
            rom_error: bit(*second, 2),
            faulty_calibration: bit(*second, 3),
        })
    }

    /// The scale's own fault, if it reports one, in words for the log and the screen.
    pub fn fault(&self) -> Option<&'static str> {
        [
            (self.ram_error, "RAM error"),
            (self.eeprom_error, "EEPROM error"),
            (self.rom_error, "ROM error"),
            (self.faulty_calibration, "faulty calibration"),
        ]
        .into_iter()
        .find_map(|(set, text)| set.then_some(text))
    }
}
