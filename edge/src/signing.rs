//! `Lipa-Signature` for merchant webhooks: `t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>`,
//! with one `v1` per active webhook secret (two while the merchant rotates it, as Stripe
//! does), so a server verifying with either key finds its signature.

use lipa_providers::signature::{hmac_sha256, SignatureError};
use lipa_providers::Secret;

/// The header value for `body` signed at `unix_s` with each of `secrets`, in order.
pub fn signature_header(
    secrets: &[&Secret],
    unix_s: i64,
    body: &str,
) -> Result<String, SignatureError> {
    let mut header = format!("t={unix_s}");
    for secret in secrets {
        let mac = hmac_sha256(secret, format!("{unix_s}.{body}").as_bytes())?;
        header.push_str(",v1=");
        header.push_str(&hex::encode(mac));
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_timestamp_dot_body() {
        let secret = Secret::new("whsec_merchant");
        let header = signature_header(&[&secret], 1_700_000_000, r#"{"id":"evt_1"}"#).unwrap();
        let expected = hex::encode(hmac_sha256(&secret, br#"1700000000.{"id":"evt_1"}"#).unwrap());
        assert_eq!(header, format!("t=1700000000,v1={expected}"));
        let other = signature_header(&[&secret], 1_700_000_001, r#"{"id":"evt_1"}"#).unwrap();
        assert_ne!(header[14..], other[14..]);
    }

    #[test]
    fn during_a_rotation_each_secret_has_its_own_v1() {
        let old = Secret::new("whsec_old");
        let new = Secret::new("whsec_new");
        let body = r#"{"id":"evt_1"}"#;
        let header = signature_header(&[&old, &new], 1_700_000_000, body).unwrap();
        let v1 = |s: &Secret| {
            hex::encode(hmac_sha256(s, format!("1700000000.{body}").as_bytes()).unwrap())
        };
        assert_eq!(
            header,
            format!("t=1700000000,v1={},v1={}", v1(&old), v1(&new))
        );
    }
}
