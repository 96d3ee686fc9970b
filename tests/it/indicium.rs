//! The indicium codec, signature and verification, through the public API.

use crate::common;

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;
use postcounter::date::Date;
use postcounter::indicium::{DestinationZip, INDICIUM_LEN, Indicium, IndiciumData, VerifyError};
use postcounter::keys::{PsdCertificate, PsdSigner, Trust};
use postcounter::money::Money;
use proptest::prelude::*;

fn sample_data() -> IndiciumData {
    IndiciumData {
        certificate_serial: 1,
        device_id: common::DEVICE_ID,
        license_number: common::LICENSE,
        ascending_register: Money::from_mills(123_456_780),
        descending_register: Money::from_mills(9_876_543),
        postage: Money::from_mills(780),
        mailing_date: common::day("2026-11-21"),
        origin_zip5: 2134,
        destination_zip: Some(DestinationZip {
            zip5: 90210,
            plus4: Some(1234),
        }),
        rate_category: 1,
        extra_services: 0b0000_0101,
        rate_table: Some(common::day("2026-07-12")),
        software_id: 1,
        piece_serial: 42,
        label_binding: postcounter::indicium::label_binding(Some("LS-0001-7")),
    }
}

/// Verification against one root (the anchor, no links, no status list) and `certificates`.
fn verify(
    bytes: &[u8],
    root: &p256::ecdsa::VerifyingKey,
    certificates: &[PsdCertificate],
) -> Result<postcounter::indicium::VerifiedIndicium, VerifyError> {
    let mut trust = Trust::anchored(*root);
    trust.certificates = certificates.to_vec();
    postcounter::indicium::verify(bytes, &trust)
}

struct Chain {
    root: SigningKey,
    signer: PsdSigner,
}

fn chain() -> Chain {
    let mut rng = rand::rng();
    let root = SigningKey::generate_from_rng(&mut rng);
    let psd_key = SigningKey::generate_from_rng(&mut rng);
    let certificate = PsdCertificate::issue(
        &root,
        1,
        common::DEVICE_ID,
        *psd_key.verifying_key(),
        common::day("2026-01-01"),
        common::day("2030-12-31"),
    )
    .unwrap();
    Chain {
        root,
        signer: PsdSigner::new(psd_key, certificate).unwrap(),
    }
}

#[test]
fn an_indicium_is_112_bytes_ending_with_the_signature_over_the_rest() {
    let chain = chain();
    let indicium = Indicium::sign(sample_data(), &chain.signer).unwrap();
    let bytes = indicium.to_bytes().unwrap();
    assert_eq!(bytes.len(), INDICIUM_LEN);
    assert_eq!(INDICIUM_LEN, 112);
    // A third party's check: plain p256 over the first 48 bytes, signature r||s in the last 64.
    use p256::ecdsa::signature::Verifier;
    let signature = p256::ecdsa::Signature::from_slice(&bytes[48..]).unwrap();
    chain
        .signer
        .certificate()
        .public_key
        .verify(&bytes[..48], &signature)
        .unwrap();
    // Spot-check the documented offsets of version 2.
    assert_eq!(bytes[0], 2);
    assert_eq!(&bytes[2..5], &[0, 0, 1]); // certificate serial 1, 3 bytes
    assert_eq!(&bytes[5..9], &common::DEVICE_ID.to_be_bytes());
    assert_eq!(&bytes[9..12], &common::LICENSE.to_be_bytes()[1..]);
    assert_eq!(&bytes[22..25], &[0x00, 0x03, 0x0c]); // 780 mills
    assert_eq!(&bytes[34..36], &[1, 0b0000_0101]); // rate category, extra services
    assert_eq!(&bytes[36..38], &9689u16.to_be_bytes()); // rate table 2026-07-12
    assert_eq!(&bytes[40..44], &42u32.to_be_bytes());
}

/// Verifiers read both layouts: a version 1 indicium (no rate table, 4-byte certificate
/// serial and license) issued before version 2 still verifies, field by field.
#[test]
fn a_version_1_indicium_still_verifies_with_its_own_offsets() {
    let chain = chain();
    let old = IndiciumData {
        rate_table: None,
        ..sample_data()
    };
    let bytes = Indicium::sign(old.clone(), &chain.signer)
        .unwrap()
        .to_bytes()
        .unwrap();
    assert_eq!(bytes[0], 1);
    assert_eq!(&bytes[6..10], &common::DEVICE_ID.to_be_bytes());
    assert_eq!(&bytes[24..27], &[0x00, 0x03, 0x0c]); // 780 mills
    assert_eq!(&bytes[36..38], &[1, 0b0000_0101]);
    let verified = verify(
        &bytes,
        chain.root.verifying_key(),
        &[chain.signer.certificate().clone()],
    )
    .unwrap();
    assert_eq!(verified.indicium.data, old);
    assert_eq!(verified.indicium.data.version(), 1);
}

#[test]
fn a_genuine_indicium_verifies_and_flipping_any_one_byte_fails() {
    let chain = chain();
    let certificates = [chain.signer.certificate().clone()];
    let root = chain.root.verifying_key();
    let bytes = Indicium::sign(sample_data(), &chain.signer)
        .unwrap()
        .to_bytes()
        .unwrap();
    let verified = verify(&bytes, root, &certificates).unwrap();
    assert_eq!(verified.indicium.data, sample_data());
    for position in 0..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut altered = bytes;
            altered[position] ^= flip;
            assert!(
                verify(&altered, root, &certificates).is_err(),
                "flipping byte {position} with {flip:#04x} still verified"
            );
        }
    }
}

#[test]
fn verification_names_what_is_wrong() {
    let other = chain(); // a second, unrelated vendor root
    let chain = chain();
    let bytes = Indicium::sign(sample_data(), &chain.signer)
        .unwrap()
        .to_bytes()
        .unwrap();
    let root = chain.root.verifying_key();
    assert_eq!(
        verify(&bytes, root, &[]).unwrap_err(),
        VerifyError::UnknownCertificate(1)
    );
    assert_eq!(
        verify(
            &bytes,
            other.root.verifying_key(),
            &[chain.signer.certificate().clone()]
        )
        .unwrap_err(),
        VerifyError::CertificateNotTrusted { serial: 1 }
    );
    assert_eq!(
        verify(&bytes[..100], root, &[]).unwrap_err().to_string(),
        "not a valid indicium: an indicium is 112 bytes, this one is 100"
    );
    let mut late = sample_data();
    late.mailing_date = common::day("2031-01-01");
    let late_bytes = Indicium::sign(late, &chain.signer)
        .unwrap()
        .to_bytes()
        .unwrap();
    assert_eq!(
        verify(&late_bytes, root, &[chain.signer.certificate().clone()])
            .unwrap_err()
            .to_string(),
        "PSD certificate 1 is valid 2026-01-01 to 2030-12-31, not on the date of mailing 2031-01-01"
    );
    // A genuine certificate for another PSD cannot vouch for this one.
    let mut foreign = sample_data();
    foreign.device_id = 99;
    let foreign_bytes = Indicium::sign(foreign, &chain.signer)
        .unwrap()
        .to_bytes()
        .unwrap();
    assert!(matches!(
        verify(&foreign_bytes, root, &[chain.signer.certificate().clone()]).unwrap_err(),
        VerifyError::DeviceMismatch {
            certified: common::DEVICE_ID,
            claimed: 99,
            ..
        }
    ));
}

#[test]
fn values_that_do_not_fit_are_refused_not_truncated() {
    let mut data = sample_data();
    data.postage = Money::from_mills(16_777_216);
    assert_eq!(
        data.to_signed_bytes().unwrap_err().to_string(),
        "postage $16777.216 does not fit the indicium (at most $16777.215)"
    );
    let mut data = sample_data();
    data.certificate_serial = 16_777_216;
    assert_eq!(
        data.to_signed_bytes().unwrap_err().to_string(),
        "certificate serial 16777216 does not fit the indicium (at most 16777215)"
    );
}

fn arbitrary_data() -> impl Strategy<Value = IndiciumData> {
    let registers = (0i64..(1 << 40), 0i64..(1 << 40), 1i64..(1 << 24));
    // Version 2 has 3 bytes for the certificate serial and the license number.
    let ids = (0u32..(1 << 24), any::<u32>(), 0u32..(1 << 24), any::<u32>());
    let zips = (
        0u32..=99_999,
        proptest::option::of((1u32..=99_999, proptest::option::of(0u16..=9999))),
    );
    let rest = (
        0i32..=65_535,
        proptest::option::of(0i32..=65_535),
        any::<u8>(),
        any::<u8>(),
        any::<u16>(),
        any::<[u8; 4]>(),
    );
    (registers, ids, zips, rest).prop_map(
        |(
            (ar, dr, postage),
            (cert, device, license, piece),
            (origin, dest),
            (day, rate_table, rate, extras, software, label),
        )| {
            IndiciumData {
                certificate_serial: cert,
                device_id: device,
                license_number: license,
                ascending_register: Money::from_mills(ar),
                descending_register: Money::from_mills(dr),
                postage: Money::from_mills(postage),
                mailing_date: Date::from_days_since_2000(day),
                origin_zip5: origin,
                destination_zip: dest.map(|(zip5, plus4)| DestinationZip { zip5, plus4 }),
                rate_category: rate,
                extra_services: extras,
                rate_table: rate_table.map(Date::from_days_since_2000),
                software_id: software,
                piece_serial: piece,
                label_binding: label,
            }
        },
    )
}

proptest! {
    #[test]
    fn the_codec_round_trips_every_representable_indicium(data in arbitrary_data(), signature in proptest::collection::vec(any::<u8>(), 64)) {
        let mut sig = [0u8; 64];
        sig.copy_from_slice(&signature);
        let indicium = Indicium { data, signature: sig };
        let bytes = indicium.to_bytes().unwrap();
        prop_assert_eq!(Indicium::from_bytes(&bytes).unwrap(), indicium);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..140)) {
        let _ = Indicium::from_bytes(&bytes);
    }
}

#[test]
fn the_high_s_twin_of_a_genuine_signature_is_refused() {
    let chain = chain();
    let certificates = [chain.signer.certificate().clone()];
    let indicium = Indicium::sign(sample_data(), &chain.signer).unwrap();
    let signature = p256::ecdsa::Signature::from_slice(&indicium.signature).unwrap();
    assert_eq!(signature.normalize_s(), signature, "we sign in low-S form");
    let (r, s) = signature.split_scalars();
    let twin = p256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
    // The twin is mathematically valid ECDSA...
    use p256::ecdsa::signature::Verifier;
    let signed = indicium.data.to_signed_bytes().unwrap();
    assert!(
        chain
            .signer
            .certificate()
            .public_key
            .verify(&signed, &twin)
            .is_ok()
    );
    // ...but not a second valid indicium.
    let mut bytes = indicium.to_bytes().unwrap();
    bytes[48..].copy_from_slice(&twin.to_bytes());
    assert_eq!(
        verify(&bytes, chain.root.verifying_key(), &certificates).unwrap_err(),
        VerifyError::BadSignature
    );
}

#[test]
fn a_serial_text_reads_back_as_its_psd_and_piece() {
    use postcounter::indicium::layout::{indicium_serial_text, parse_indicium_serial_text};
    let text = indicium_serial_text(20_000_001, 42);
    assert_eq!(text, "20000001-0000042");
    assert_eq!(parse_indicium_serial_text(&text), Some((20_000_001, 42)));
    assert_eq!(parse_indicium_serial_text("20000001"), None);
    assert_eq!(parse_indicium_serial_text("x-1"), None);
}
