//! HMAC-SHA256 as the sandbox uses it: signing CrissCross webhooks, and verifying Lipa's
//! `Lipa-Signature` and Standard Webhooks headers the way a merchant's server would.

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

/// A Standard Webhooks delivery's headers (standardwebhooks.com, spec v1).
#[derive(Debug, Clone, Copy, Default)]
pub struct StandardHeaders<'a> {
    /// `webhook-id`.
    pub id: Option<&'a str>,
    /// `webhook-timestamp`, Unix seconds.
    pub timestamp: Option<&'a str>,
    /// `webhook-signature`: space-separated `v1,<base64>`.
    pub signature: Option<&'a str>,
}

/// Verifies Standard Webhooks headers as the spec's libraries do: the key is the base64 after
/// `whsec_` in `secret`, the message `id.timestamp.body`, any `v1` may match, and the
/// timestamp must be within `tolerance_s` of `now_s`.
pub fn verify_standard_webhook(
    secret: &str,
    headers: StandardHeaders<'_>,
    body: &str,
    now_s: i64,
    tolerance_s: i64,
) -> Result<(), Refused> {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    let (Some(id), Some(timestamp), Some(signature)) =
        (headers.id, headers.timestamp, headers.signature)
    else {
        return Err(Refused::Malformed);
    };
    let t = timestamp.parse::<i64>().map_err(|_| Refused::Malformed)?;
    if (now_s - t).abs() > tolerance_s {
        return Err(Refused::Stale);
    }
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| Refused::Mismatch)?;
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return Err(Refused::Mismatch);
    };
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    let matches = signature
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| crate::ids::constant_time_eq(s, &expected));
    if matches {
        Ok(())
    } else {
        Err(Refused::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks specification's example.
    #[test]
    fn verifies_the_standard_webhooks_example_and_refuses_changes() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        let good = StandardHeaders {
            id: Some("msg_p5jXN8AQM9LWM0D4loKWxJek"),
            timestamp: Some("1614265330"),
            signature: Some("v1,bm90IHRoaXMgb25l v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        };
        let at = 1_614_265_330;
        assert_eq!(verify_standard_webhook(secret, good, body, at, 300), Ok(()));
        assert_eq!(
            verify_standard_webhook(secret, good, body, at + 301, 300),
            Err(Refused::Stale)
        );
        assert_eq!(
            verify_standard_webhook(secret, good, "{}", at, 300),
            Err(Refused::Mismatch)
        );
        let other_id = StandardHeaders {
            id: Some("msg_other"),
            ..good
        };
        assert_eq!(
            verify_standard_webhook(secret, other_id, body, at, 300),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify_standard_webhook(
                "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                good,
                body,
                at,
                300
            ),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify_standard_webhook(secret, StandardHeaders::default(), body, at, 300),
            Err(Refused::Malformed)
        );
    }

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
