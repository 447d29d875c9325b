//! Random identifiers and secrets, and the checks that a string looks like one.

use lipa_api::{ApiError, ErrorCode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// `prefix` + `n` random characters from an unambiguous alphabet.
pub fn random_id(prefix: &str, n: usize) -> Result<String, ApiError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("no randomness: {e}")))?;
    let mut out = String::with_capacity(prefix.len() + n);
    out.push_str(prefix);
    out.extend(bytes.iter().map(|b| ALPHABET[(b & 31) as usize] as char));
    Ok(out)
}

/// A random number in [0, 1), for jitter.
pub fn random_unit() -> Result<f64, ApiError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("no randomness: {e}")))?;
    Ok(f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0))
}

/// A random UUID v4, for provider idempotency keys.
pub fn uuid_v4() -> Result<String, ApiError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("no randomness: {e}")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// Whether `id` is a checkout id Lipa could have made: `co_` and 24 id characters.
pub fn is_checkout_id(id: &str) -> bool {
    id.strip_prefix("co_")
        .is_some_and(|rest| rest.len() == 24 && rest.bytes().all(|b| ALPHABET.contains(&b)))
}

/// A new payment's id: `pay_`, its checkout's 24 id characters, then 8 random ones. A
/// provider's webhook that echoes only Lipa's payment id (HoneyCoin's `externalReference`,
/// Xtopay's `clientReference`) so names its checkout, and goes there without a D1 read (see
/// [`checkout_of_payment`]). The checkout's part is unique, the random part tells its payments
/// apart; neither is a secret (the client secret is).
pub fn payment_id(checkout_id: &str) -> Result<String, ApiError> {
    let own = checkout_id
        .strip_prefix("co_")
        .filter(|_| is_checkout_id(checkout_id))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                format!("{checkout_id:?} is not a checkout id"),
            )
        })?;
    random_id(&format!("pay_{own}"), 8)
}

/// The checkout a payment id made by [`payment_id`] carries; `None` for any other string,
/// among them the ids made before (`pay_` and 24 random characters), which only the index
/// knows.
pub fn checkout_of_payment(payment_id: &str) -> Option<String> {
    let rest = payment_id.strip_prefix("pay_")?;
    if rest.len() != 32 || !rest.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("co_{}", &rest[..24]))
}

/// SHA-256 of a text, hex: what the Checkout object stores instead of a client secret, and
/// the digest of a request body kept with its `Idempotency-Key`.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Compares two strings in constant time.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkout_ids_are_recognized() {
        let id = random_id("co_", 24).unwrap();
        assert!(is_checkout_id(&id), "{id}");
        assert!(!is_checkout_id("co_short"));
        assert!(!is_checkout_id("pay_aaaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(!is_checkout_id("co_AAAAAAAAAAAAAAAAAAAAAAAA"));
        assert_ne!(random_id("co_", 24).unwrap(), id);
    }

    #[test]
    fn a_payment_id_carries_its_checkout() {
        let checkout = random_id("co_", 24).unwrap();
        let payment = payment_id(&checkout).unwrap();
        assert_eq!(payment.len(), 4 + 24 + 8, "{payment}");
        assert_eq!(
            checkout_of_payment(&payment).as_deref(),
            Some(checkout.as_str())
        );
        assert_ne!(
            payment_id(&checkout).unwrap(),
            payment,
            "each payment its own"
        );
        // Ids made before, and anything else, carry none.
        assert_eq!(checkout_of_payment("pay_aaaaaaaaaaaaaaaaaaaaaaaa"), None);
        assert_eq!(checkout_of_payment(&format!("{payment}a")), None);
        assert_eq!(checkout_of_payment(&payment.replace("pay_", "re_")), None);
        assert_eq!(
            checkout_of_payment("pay_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            None
        );
        assert!(payment_id("co_short").is_err());
    }

    #[test]
    fn uuid_has_version_and_variant() {
        let u = uuid_v4().unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn digests_compare_in_constant_time() {
        assert!(constant_time_eq(&sha256_hex("cs_1"), &sha256_hex("cs_1")));
        assert!(!constant_time_eq(&sha256_hex("cs_1"), &sha256_hex("cs_2")));
        assert!(!constant_time_eq("a", "ab"));
    }
}
