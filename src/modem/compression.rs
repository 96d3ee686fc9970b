//! Answers compressed for the line: a phone line carries 4 KB a second, and the rate file
//! a station fetches over it is 130 KB of TOML (31 s), about 12 KB gzipped. The station
//! asks with `Accept-Encoding: gzip`; the remote access server gzips an answer body worth
//! it and says `Content-Encoding: gzip`; the station inflates it (never past
//! [`MAX_INFLATED_BYTES`]) before anything else reads it. It is the line's transform, like
//! a modem's own V.42bis: signatures and seals cover the body as the service wrote it.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use super::http_line::{LineError, Message};

/// The header a station asks with, and its value.
pub const ACCEPT_ENCODING: (&str, &str) = ("Accept-Encoding", "gzip");
const CONTENT_ENCODING: &str = "Content-Encoding";
/// Smaller bodies gain less than the header costs.
const WORTH_BYTES: usize = 1024;
/// The most an answer may inflate to (the largest the API answers is 256 KiB).
pub const MAX_INFLATED_BYTES: usize = 1024 * 1024;

/// Gzips `answer`'s body when the request's `Accept-Encoding` takes gzip and the body comes
/// out smaller.
pub fn compress_for(accept_encoding: Option<&str>, answer: &mut Message) {
    let accepts = accept_encoding.is_some_and(|value| value.split(',').any(|v| v.trim() == "gzip"));
    if !accepts || answer.body.len() < WORTH_BYTES || answer.header(CONTENT_ENCODING).is_some() {
        return;
    }
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let Ok(gzipped) = encoder
        .write_all(&answer.body)
        .and_then(|()| encoder.finish())
    else {
        return;
    };
    if gzipped.len() < answer.body.len() {
        answer.body = gzipped;
        answer
            .headers
            .push((CONTENT_ENCODING.into(), ACCEPT_ENCODING.1.into()));
    }
}

/// Inflates `answer`'s body if the line gzipped it; an encoding not asked for is refused.
pub fn inflate(answer: &mut Message) -> Result<(), LineError> {
    let Some(encoding) = answer.header(CONTENT_ENCODING) else {
        return Ok(());
    };
    if encoding != ACCEPT_ENCODING.1 {
        return Err(LineError::Malformed(format!(
            "Content-Encoding {encoding:?}: only gzip was asked for"
        )));
    }
    let mut inflated = Vec::new();
    let limit = u64::try_from(MAX_INFLATED_BYTES + 1).unwrap_or(u64::MAX);
    GzDecoder::new(answer.body.as_slice())
        .take(limit)
        .read_to_end(&mut inflated)
        .map_err(|e| LineError::Malformed(format!("a gzipped body: {e}")))?;
    if inflated.len() > MAX_INFLATED_BYTES {
        return Err(LineError::Malformed(format!(
            "a gzipped body that inflates past {MAX_INFLATED_BYTES} bytes"
        )));
    }
    answer.body = inflated;
    answer
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case(CONTENT_ENCODING));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(headers: &[(&str, &str)], body: Vec<u8>) -> Message {
        Message {
            start: "GET / HTTP/1.1".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body,
        }
    }

    #[test]
    fn an_answer_is_gzipped_only_when_asked_and_worth_it_and_comes_back_byte_for_byte() {
        let text = "[tables.x]\nrows = [ { max = \"1oz\", price = 740 } ]\n".repeat(200);
        let asking = Some("gzip");
        let mut answer = message(&[], text.clone().into_bytes());
        compress_for(asking, &mut answer);
        assert!(answer.body.len() < text.len() / 10, "{}", answer.body.len());
        inflate(&mut answer).unwrap();
        assert_eq!(answer.body, text.as_bytes());
        assert_eq!(answer.header(CONTENT_ENCODING), None);

        let mut not_asked = message(&[], text.clone().into_bytes());
        compress_for(None, &mut not_asked);
        assert_eq!(not_asked.body, text.as_bytes());
        let mut small = message(&[], b"{}".to_vec());
        compress_for(asking, &mut small);
        assert_eq!(small.body, b"{}");
    }

    #[test]
    fn a_body_that_inflates_past_the_limit_or_another_encoding_is_refused() {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder
            .write_all(&vec![0u8; MAX_INFLATED_BYTES + 1])
            .unwrap();
        let mut bomb = message(&[(CONTENT_ENCODING, "gzip")], encoder.finish().unwrap());
        let error = inflate(&mut bomb).unwrap_err();
        assert!(error.to_string().contains("inflates past"), "{error}");
        let mut other = message(&[(CONTENT_ENCODING, "br")], b"x".to_vec());
        assert!(inflate(&mut other).is_err());
    }
}
