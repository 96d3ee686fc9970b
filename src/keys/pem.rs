//! PEM armour for the data centre's fixed binary formats (PSD certificates, root links, the
//! certificate status list): one label each, so a file cannot be read as another kind.

/// `bytes` under `label`, LF line endings.
pub fn to_pem(label: &str, bytes: &[u8]) -> Result<String, String> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, bytes).map_err(|e| e.to_string())
}

/// The bytes of a PEM text that must carry `label`.
pub fn from_pem(label: &str, text: &str) -> Result<Vec<u8>, String> {
    let (found, bytes) = pem_rfc7468::decode_vec(text.as_bytes()).map_err(|e| e.to_string())?;
    if found != label {
        return Err(format!("the label is {found:?}, expected {label:?}"));
    }
    Ok(bytes)
}
