//! An event ticket's code: what its QR code carries, signed by the events service's key so a
//! gate checks it offline, and in upper-case base32 after `PCE1:` so that any decoder reads it
//! and a QR code holds it in its alphanumeric mode.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 1 | format, 1 |
//! | 1 | 8 | ticket id, big-endian |
//! | 9 | 4 | ticket version, big-endian (a ticket issued again has a higher one) |
//! | 13 | 8 | issued, unix ms, big-endian (the data centre's clock) |
//! | 21 | 1 + n | event id: its length n (1 to 32), then n ASCII bytes |
//! | . | 1 + m | seat: its length m (1 to 16), then m ASCII bytes, e.g. `A-1-1` or `GA-17` |
//! | . | 1 + k | price class: its length k (1 to 16), then k ASCII bytes |
//! | . | 4 | key id: the first 4 bytes of SHA-256 of the signing key, SEC1 compressed |
//! | . | 64 | ECDSA P-256 / SHA-256 signature, r then s (low s), over every byte before it |

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::base32;

pub const PREFIX: &str = "PCE1:";
const FORMAT: u8 = 1;
const SIGNATURE_LEN: usize = 64;

/// What a ticket's code says, signature aside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventTicketCode {
    pub ticket_id: u64,
    pub version: u32,
    pub issued_unix_ms: i64,
    pub event_id: String,
    pub seat: String,
    pub price_class: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error(
        "{0:?} is not an event ticket's code: it starts with PCE1: and continues in base32 (A-Z, 2-7)"
    )]
    NotACode(String),
    #[error("the ticket's code is damaged: {0}")]
    Malformed(String),
    #[error("the ticket is signed by key {found}, not the events key {expected} this gate holds")]
    UnknownKey { found: String, expected: String },
    #[error("the ticket's signature does not verify: it was altered or forged")]
    BadSignature,
}

/// The key id of `key`: the first 4 bytes of SHA-256 of its compressed point.
pub fn key_id(key: &VerifyingKey) -> [u8; 4] {
    let digest = Sha256::digest(key.to_sec1_point(true).as_bytes());
    [digest[0], digest[1], digest[2], digest[3]]
}

fn push_text(bytes: &mut Vec<u8>, text: &str, most: usize) -> Result<(), CodeError> {
    if text.is_empty() || text.len() > most || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CodeError::Malformed(format!(
            "{text:?} is not 1 to {most} printable ASCII characters"
        )));
    }
    bytes.push(text.len() as u8);
    bytes.extend_from_slice(text.as_bytes());
    Ok(())
}

impl EventTicketCode {
    /// The signed bytes, up to the key id.
    fn signed_bytes(&self, key_id: [u8; 4]) -> Result<Vec<u8>, CodeError> {
        let mut bytes = Vec::with_capacity(96);
        bytes.push(FORMAT);
        bytes.extend_from_slice(&self.ticket_id.to_be_bytes());
        bytes.extend_from_slice(&self.version.to_be_bytes());
        bytes.extend_from_slice(&self.issued_unix_ms.to_be_bytes());
        push_text(&mut bytes, &self.event_id, 32)?;
        push_text(&mut bytes, &self.seat, 16)?;
        push_text(&mut bytes, &self.price_class, 16)?;
        bytes.extend_from_slice(&key_id);
        Ok(bytes)
    }

    /// The code `PCE1:...`, signed with `key`.
    pub fn sign(&self, key: &SigningKey) -> Result<String, CodeError> {
        let mut bytes = self.signed_bytes(key_id(key.verifying_key()))?;
        let signature: Signature = Signer::<Signature>::sign(key, &bytes);
        bytes.extend_from_slice(&signature.normalize_s().to_bytes());
        Ok(format!("{PREFIX}{}", base32::encode(&bytes)))
    }

    /// The fields of `code` and its key id, signature unchecked.
    pub fn read(code: &str) -> Result<(EventTicketCode, [u8; 4]), CodeError> {
        let (fields, key, _, _) = parse(code)?;
        Ok((fields, key))
    }

    /// The fields of `code`, if `key` signed exactly them.
    pub fn verify(code: &str, key: &VerifyingKey) -> Result<EventTicketCode, CodeError> {
        let (fields, found, signed, signature) = parse(code)?;
        let expected = key_id(key);
        if found != expected {
            return Err(CodeError::UnknownKey {
                found: crate::hex::encode(&found),
                expected: crate::hex::encode(&expected),
            });
        }
        let signature = Signature::from_slice(&signature).map_err(|_| CodeError::BadSignature)?;
        if signature.normalize_s() != signature || key.verify(&signed, &signature).is_err() {
            return Err(CodeError::BadSignature);
        }
        Ok(fields)
    }
}

/// A cursor over a code's bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], CodeError> {
        if self.0.len() < count {
            return Err(CodeError::Malformed("it is cut short".into()));
        }
        let (head, rest) = self.0.split_at(count);
        self.0 = rest;
        Ok(head)
    }

    fn text(&mut self) -> Result<String, CodeError> {
        let len = usize::from(self.take(1)?[0]);
        let bytes = self.take(len)?;
        if len == 0 || !bytes.iter().all(u8::is_ascii_graphic) {
            return Err(CodeError::Malformed(
                "a text field is empty or not printable ASCII".into(),
            ));
        }
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
}

type Parsed = (EventTicketCode, [u8; 4], Vec<u8>, Vec<u8>);

fn parse(code: &str) -> Result<Parsed, CodeError> {
    let code = code.trim();
    let shown = || crate::cli::terminal_safe(&code.chars().take(24).collect::<String>());
    let body = code
        .strip_prefix(PREFIX)
        .or_else(|| code.strip_prefix("pce1:"))
        .ok_or_else(|| CodeError::NotACode(shown()))?;
    let bytes = base32::decode(body).ok_or_else(|| CodeError::NotACode(shown()))?;
    if bytes.len() <= SIGNATURE_LEN {
        return Err(CodeError::Malformed("it is cut short".into()));
    }
    let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
    let mut reader = Reader(signed);
    if reader.take(1)?[0] != FORMAT {
        return Err(CodeError::Malformed("its format is not 1".into()));
    }
    let mut eight = [0u8; 8];
    eight.copy_from_slice(reader.take(8)?);
    let ticket_id = u64::from_be_bytes(eight);
    let mut four = [0u8; 4];
    four.copy_from_slice(reader.take(4)?);
    let version = u32::from_be_bytes(four);
    eight.copy_from_slice(reader.take(8)?);
    let issued_unix_ms = i64::from_be_bytes(eight);
    let (event_id, seat, price_class) = (reader.text()?, reader.text()?, reader.text()?);
    four.copy_from_slice(reader.take(4)?);
    if !reader.0.is_empty() {
        return Err(CodeError::Malformed("it has bytes past its fields".into()));
    }
    let fields = EventTicketCode {
        ticket_id,
        version,
        issued_unix_ms,
        event_id,
        seat,
        price_class,
    };
    Ok((fields, four, signed.to_vec(), signature.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Generate;

    fn ticket() -> EventTicketCode {
        EventTicketCode {
            ticket_id: 42,
            version: 1,
            issued_unix_ms: 1_765_155_840_000,
            event_id: "demo".into(),
            seat: "A-1-1".into(),
            price_class: "stalls".into(),
        }
    }

    #[test]
    fn a_code_verifies_under_its_key_only_and_unaltered() {
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        let code = ticket().sign(&key).unwrap();
        assert!(code.starts_with(PREFIX));
        assert!(
            code[PREFIX.len()..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        );
        assert_eq!(
            EventTicketCode::verify(&code, key.verifying_key()).unwrap(),
            ticket()
        );
        let other = SigningKey::generate_from_rng(&mut rand::rng());
        assert!(matches!(
            EventTicketCode::verify(&code, other.verifying_key()),
            Err(CodeError::UnknownKey { .. })
        ));
        // Every single character changed is refused, as damaged or as not signed.
        let body: Vec<char> = code.chars().collect();
        for at in PREFIX.len()..body.len() {
            let mut altered = body.clone();
            altered[at] = if altered[at] == 'A' { 'B' } else { 'A' };
            let altered: String = altered.into_iter().collect();
            assert!(
                EventTicketCode::verify(&altered, key.verifying_key()).is_err(),
                "at {at}"
            );
        }
        assert!(matches!(
            EventTicketCode::verify("hello", key.verifying_key()),
            Err(CodeError::NotACode(_))
        ));
        let mut long = ticket();
        long.seat = "A-VERY-LONG-SEAT-NAME".into();
        assert!(long.sign(&key).is_err());
    }
}
