//! HMAC-SHA256 as the sandbox uses it: signing CrissCross webhooks, and verifying Lipa's
//! `Lipa-Signature` the way a merchant's server would.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Hex HMAC-SHA256 of `message` under `key`.
pub fn hmac_hex(key: &str, message: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(message);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// Why a `Lipa-Signature` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No header, or not `t=…,v1=…`.
    Malformed,
    /// The timestamp is more than the tolerance away from now.
    Stale,
    /// No `v1` matches.
    Mismatch,
}

/// Verifies `t=<unix>,v1=<hex>` over `t + "." + body`, within `tolerance_s` of `now_s`.
pub fn verify_lipa_signature(
    secret: &str,
    header: Option<&str>,
    body: &str,
    now_s: i64,
    tolerance_s: i64,
) -> Result<(), Refused> {
    let header = header.ok_or(Refused::Malformed)?;
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1.push(v.to_string()),
            _ => {}
        }
    }
    let t = t.ok_or(Refused::Malformed)?;
    if v1.is_empty() {
        return Err(Refused::Malformed);
    }
    if (now_s - t).abs() > tolerance_s {
        return Err(Refused::Stale);
    }
    let expected = hmac_hex(secret, format!("{t}.{body}").as_bytes());
    if v1
        .iter()
        .any(|s| crate::ids::constant_time_eq(s, &expected))
    {
        Ok(())
    } else {
        Err(Refused::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_like_a_merchant() {
        let body = r#"{"id":"evt_1"}"#;
        let sig = hmac_hex("whsec", format!("1000.{body}").as_bytes());
        let header = format!("t=1000,v1={sig}");
        assert_eq!(
            verify_lipa_signature("whsec", Some(&header), body, 1100, 300),
            Ok(())
        );
        assert_eq!(
            verify_lipa_signature("whsec", Some(&header), body, 2000, 300),
            Err(Refused::Stale)
        );
        assert_eq!(
            verify_lipa_signature("other", Some(&header), body, 1100, 300),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify_lipa_signature("whsec", Some(&header), "{}", 1100, 300),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify_lipa_signature("whsec", None, body, 1100, 300),
            Err(Refused::Malformed)
        );
        assert_eq!(
            verify_lipa_signature("whsec", Some("v1=ab"), body, 1100, 300),
            Err(Refused::Malformed)
        );
    }
}
