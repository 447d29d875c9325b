//! The signatures every merchant webhook carries, computed with each active webhook secret
//! (two while the merchant rotates it), so a server verifying with either key finds its own:
//!
//! - `Lipa-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>,v1=…`, keyed with the
//!   secret's text as it is (`whsec_…` included), exactly as Stripe signs, so
//!   `stripe.webhooks.constructEvent` verifies it;
//! - Standard Webhooks (standardwebhooks.com, spec v1): `webhook-id`, `webhook-timestamp`
//!   and `webhook-signature: v1,<base64 HMAC-SHA256(key, id.timestamp.body)> v1,…`, keyed
//!   with the bytes the secret's base64 after `whsec_` decodes to, as the `standardwebhooks`
//!   libraries do.
//!
//! One secret serves both: the merchant gives the same `whsec_<base64>` string to either
//! library.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use lipa_providers::signature::{hmac_sha256, SignatureError};
use lipa_providers::Secret;
use sha2::Sha256;

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// Why a webhook secret cannot sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningError {
    /// The secret is not `whsec_` followed by standard base64 of at least 24 bytes.
    NotWhsec,
    /// HMAC refused the key (never happens for HMAC-SHA256).
    Mac(SignatureError),
}

impl std::fmt::Display for SigningError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigningError::NotWhsec => write!(
                f,
                "must be whsec_ followed by the standard base64 of 24 to 64 random bytes \
                 (make one with: echo \"whsec_$(openssl rand -base64 32)\")"
            ),
            SigningError::Mac(e) => write!(f, "could not sign: {e:?}"),
        }
    }
}

impl From<SignatureError> for SigningError {
    fn from(e: SignatureError) -> Self {
        SigningError::Mac(e)
    }
}

/// The key a Standard Webhooks signature is computed with: the bytes the base64 after
/// `whsec_` decodes to (24 to 64 of them, as the spec recommends).
pub fn standard_key(secret: &Secret) -> Result<Vec<u8>, SigningError> {
    let encoded = secret
        .expose()
        .strip_prefix(SECRET_PREFIX)
        .ok_or(SigningError::NotWhsec)?;
    let key = STANDARD
        .decode(encoded)
        .map_err(|_| SigningError::NotWhsec)?;
    if (24..=64).contains(&key.len()) {
        Ok(key)
    } else {
        Err(SigningError::NotWhsec)
    }
}

/// The signature headers of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// Unix seconds: `Lipa-Signature`'s `t` and `webhook-timestamp`.
    pub timestamp: i64,
    /// The `Lipa-Signature` value.
    pub lipa: String,
    /// The `webhook-signature` value.
    pub standard: String,
}

/// Signs the delivery of event `event_id` with `body` at `unix_s`, with each of `secrets`
/// in order.
pub fn sign(
    secrets: &[&Secret],
    event_id: &str,
    unix_s: i64,
    body: &str,
) -> Result<Signed, SigningError> {
    Ok(Signed {
        timestamp: unix_s,
        lipa: signature_header(secrets, unix_s, body)?,
        standard: standard_signature_header(secrets, event_id, unix_s, body)?,
    })
}

/// The `Lipa-Signature` value for `body` signed at `unix_s` with each of `secrets`, in order.
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

/// The `webhook-signature` value: `v1,<base64>` per secret, space-separated.
pub fn standard_signature_header(
    secrets: &[&Secret],
    event_id: &str,
    unix_s: i64,
    body: &str,
) -> Result<String, SigningError> {
    let mut signatures = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let mut mac = Hmac::<Sha256>::new_from_slice(&standard_key(secret)?)
            .map_err(|_| SignatureError::BadKey)?;
        mac.update(format!("{event_id}.{unix_s}.{body}").as_bytes());
        signatures.push(format!(
            "v1,{}",
            STANDARD.encode(mac.finalize().into_bytes())
        ));
    }
    Ok(signatures.join(" "))
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

    /// The example of the Standard Webhooks specification (spec/standard-webhooks.md,
    /// "Signature scheme"), which the npm `standardwebhooks` library's `sign` also gives.
    #[test]
    fn the_specifications_example() {
        let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let header = standard_signature_header(
            &[&secret],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn standard_signatures_cover_id_timestamp_and_body_and_rotate_space_separated() {
        let old = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let new = Secret::new(format!("whsec_{}", STANDARD.encode([7u8; 32])));
        let signed = sign(&[&old, &new], "evt_1", 1_700_000_000, "{}").unwrap();
        let parts: Vec<&str> = signed.standard.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.starts_with("v1,") && p.len() == 47));
        assert_ne!(parts[0], parts[1]);
        assert_eq!(
            parts[0],
            standard_signature_header(&[&old], "evt_1", 1_700_000_000, "{}").unwrap()
        );
        for (id, t, body) in [
            ("evt_2", 1_700_000_000, "{}"),
            ("evt_1", 1_700_000_001, "{}"),
            ("evt_1", 1_700_000_000, "{ }"),
        ] {
            assert_ne!(
                parts[0],
                standard_signature_header(&[&old], id, t, body).unwrap()
            );
        }
        assert_eq!(signed.timestamp, 1_700_000_000);
        assert!(signed.lipa.starts_with("t=1700000000,v1="));
        assert_eq!(signed.lipa.matches(",v1=").count(), 2);
    }

    #[test]
    fn a_secret_that_is_not_whsec_base64_is_refused() {
        for bad in [
            "whsec_test_duka_demo_000000000000",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_",
            "whsec_AAAA",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw!",
        ] {
            assert_eq!(
                standard_key(&Secret::new(bad)),
                Err(SigningError::NotWhsec),
                "{bad}"
            );
        }
        assert_eq!(
            standard_key(&Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
                .unwrap()
                .len(),
            24
        );
    }
}
