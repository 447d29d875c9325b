//! `Lipa-Signature` for merchant webhooks: `t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>`.

use lipa_providers::signature::{hmac_sha256, SignatureError};
use lipa_providers::Secret;

/// The header value for `body` signed at `unix_s`.
pub fn signature_header(
    secret: &Secret,
    unix_s: i64,
    body: &str,
) -> Result<String, SignatureError> {
    let mac = hmac_sha256(secret, format!("{unix_s}.{body}").as_bytes())?;
    Ok(format!("t={unix_s},v1={}", hex::encode(mac)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_timestamp_dot_body() {
        let secret = Secret::new("whsec_merchant");
        let header = signature_header(&secret, 1_700_000_000, r#"{"id":"evt_1"}"#).unwrap();
        let expected = hex::encode(hmac_sha256(&secret, br#"1700000000.{"id":"evt_1"}"#).unwrap());
        assert_eq!(header, format!("t=1700000000,v1={expected}"));
        let other = signature_header(&secret, 1_700_000_001, r#"{"id":"evt_1"}"#).unwrap();
        assert_ne!(header[14..], other[14..]);
    }
}
