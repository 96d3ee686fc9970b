//! The key management service's bodies: a counter's embedded PSD key certified by the data
//! centre, and the trust a station holds (the anchor root, root links, certificates and the
//! certificate status list).

use p256::ecdsa::VerifyingKey;
use serde::{Deserialize, Serialize};

use crate::hex;
use crate::keys::{CertificateStatusList, PsdCertificate, RootLink, Trust};

/// `POST /keys/v1/psd-certificates`: certify this key for the counter's embedded PSD (a new
/// PSD, numbered by the data centre, on the first request; the same PSD on a renewal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PsdCertificateRequest {
    /// The PSD's new P-256 public key, SEC1 uncompressed (65 bytes), hex.
    pub public_key: String,
    /// That key's ECDSA P-256 signature (r‖s, 64 bytes, hex) over [`possession_text`]: proof
    /// that the counter holds the private key it asks a certificate for.
    pub proof: String,
}

/// What the new PSD key signs to prove it is held: the scheme, the counter and the key.
pub fn possession_text(counter_id: &str, public_key_hex: &str) -> String {
    format!("PCPSD1\n{counter_id}\n{public_key_hex}")
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PsdCertificateResponse {
    pub psd_id: u32,
    /// The key certificate (120 bytes, covering no register), hex (see `keys::certificate`).
    pub certificate: String,
}

/// `GET /keys/v1/trust`: what a counter needs to check every indicium it prints, and every
/// grant it is given, with nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustBundle {
    /// Root generation 1's public key, SEC1 compressed, hex: the anchor.
    pub anchor: String,
    /// Root links, generation 2 upwards (104 bytes each, hex).
    pub links: Vec<String>,
    /// The certificates of the counter's account's central PSDs and of its embedded PSD.
    pub certificates: Vec<String>,
    /// The certificate status list in force, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list: Option<String>,
    /// The data centre's clock: the counter's time authority.
    pub time_unix_ms: i64,
}

impl TrustBundle {
    pub fn of(trust: &Trust, time_unix_ms: i64) -> Result<TrustBundle, String> {
        let links = trust
            .links
            .iter()
            .map(|link| {
                link.to_bytes()
                    .map(|b| hex::encode(&b))
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        let certificates = trust
            .certificates
            .iter()
            .map(|c| {
                c.to_bytes()
                    .map(|b| hex::encode(&b))
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        let status_list = trust
            .status
            .as_ref()
            .map(|status| status.to_bytes().map(|b| hex::encode(&b)))
            .transpose()
            .map_err(|e| e.to_string())?;
        Ok(TrustBundle {
            anchor: hex::encode(trust.anchor.to_sec1_point(true).as_bytes()),
            links,
            certificates,
            status_list,
            time_unix_ms,
        })
    }

    /// The trust in this bundle; every part must parse (their signatures are checked when
    /// it is absorbed into the trust a station already holds).
    pub fn trust(&self) -> Result<Trust, String> {
        let bytes = |text: &str| hex::decode(text).ok_or_else(|| format!("{text:.20} is not hex"));
        let anchor = VerifyingKey::from_sec1_bytes(&bytes(&self.anchor)?)
            .map_err(|_| "the anchor is not a P-256 key".to_string())?;
        let mut trust = Trust::anchored(anchor);
        for link in &self.links {
            trust
                .links
                .push(RootLink::from_bytes(&bytes(link)?).map_err(|e| e.to_string())?);
        }
        for certificate in &self.certificates {
            trust
                .certificates
                .push(PsdCertificate::from_bytes(&bytes(certificate)?).map_err(|e| e.to_string())?);
        }
        if let Some(status) = &self.status_list {
            trust.status = Some(
                CertificateStatusList::from_bytes(&bytes(status)?).map_err(|e| e.to_string())?,
            );
        }
        Ok(trust)
    }
}

/// `GET /contact/v1/service-keys`: the data centre's service keys, announced under a root
/// (see [`crate::grants::service_keys`]), and the roots to check the announcement with: a
/// station that holds no trust yet takes this anchor, as from its first trust bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceKeysResponse {
    /// The announcement, hex.
    pub announcement: String,
    /// Root generation 1's public key, SEC1 compressed, hex.
    pub anchor: String,
    /// Root links, generation 2 upwards, hex.
    pub links: Vec<String>,
}

impl ServiceKeysResponse {
    pub fn of(announcement: &[u8], roots: &Trust) -> Result<ServiceKeysResponse, String> {
        let roots_only = Trust {
            certificates: Vec::new(),
            status: None,
            ..roots.clone()
        };
        let bundle = TrustBundle::of(&roots_only, 0)?;
        Ok(ServiceKeysResponse {
            announcement: hex::encode(announcement),
            anchor: bundle.anchor,
            links: bundle.links,
        })
    }

    /// The roots this answer names (checked link by link when absorbed).
    pub fn roots(&self) -> Result<Trust, String> {
        TrustBundle {
            anchor: self.anchor.clone(),
            links: self.links.clone(),
            certificates: Vec::new(),
            status_list: None,
            time_unix_ms: 0,
        }
        .trust()
    }
}
