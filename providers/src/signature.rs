//! Webhook signature checks, split the way they are used: the algorithm (HMAC-SHA256), the
//! signature (decoded from a header) and the message (the raw body). Comparison is constant
//! time (`Mac::verify_slice`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret::Secret;

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// The header was absent.
    Missing,
    /// The header was not of the expected form (e.g. not hex).
    Malformed,
    /// The signature did not match the message.
    Mismatch,
    /// The signed timestamp is outside the tolerance window.
    Stale,
    /// The key could not be used (never for HMAC, whose keys may have any length).
    BadKey,
}

/// HMAC-SHA256 of `message` under `secret`.
pub fn hmac_sha256(secret: &Secret, message: &[u8]) -> Result<Vec<u8>, SignatureError> {
    let mut mac = new_mac(secret)?;
    mac.update(message);
    Ok(mac.finalize().into_bytes().to_vec())
}

/// Checks a hex-encoded HMAC-SHA256 `signature` of `message` in constant time.
pub fn verify_hmac_sha256_hex(
    secret: &Secret,
    message: &[u8],
    signature: Option<&str>,
) -> Result<(), SignatureError> {
    let signature = signature.ok_or(SignatureError::Missing)?;
    let bytes = hex::decode(signature.trim()).map_err(|_| SignatureError::Malformed)?;
    let mut mac = new_mac(secret)?;
    mac.update(message);
    mac.verify_slice(&bytes)
        .map_err(|_| SignatureError::Mismatch)
}

/// Compares two byte strings in constant time (for secrets sent as they are, like
/// HoneyCoin's webhook header).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

fn new_mac(secret: &Secret) -> Result<Hmac<Sha256>, SignatureError> {
    // HMAC takes keys of any length; the error exists only for fixed-key MACs.
    Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).map_err(|_| SignatureError::BadKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        let mac = hmac_sha256(&Secret::new("Jefe"), b"what do ya want for nothing?").unwrap();
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verifies_good_and_refuses_bad_missing_and_wrong_secret() {
        let secret = Secret::new("whsec");
        let body = br#"{"a":1}"#;
        let good = hex::encode(hmac_sha256(&secret, body).unwrap());
        assert_eq!(verify_hmac_sha256_hex(&secret, body, Some(&good)), Ok(()));
        assert_eq!(
            verify_hmac_sha256_hex(&secret, br#"{"a":2}"#, Some(&good)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_hmac_sha256_hex(&Secret::new("other"), body, Some(&good)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_hmac_sha256_hex(&secret, body, None),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_hmac_sha256_hex(&secret, body, Some("zz")),
            Err(SignatureError::Malformed)
        );
    }
}
