//! Phone verification for guests: the pure rules.
//!
//! A route with `verify_phone` (on for Xtopay, whose guide requires it for numbers the
//! merchant has not locked) makes a guest prove the number before any debit prompt: the edge
//! sends a random 6-digit code by SMS and the customer types it back. The checkout stores
//! only a salted SHA-256 of the code, never the code; a code lives [`CODE_TTL_MS`] and takes
//! [`MAX_TRIES`] wrong guesses, after which only a new code helps; a number gets at most
//! [`MAX_CODES`] codes per checkout, [`RESEND_AFTER_MS`] apart (the per-phone limit of
//! `PROMPT_LIMITS` and the codes' per-address binding bound codes across checkouts too). A
//! verified number is remembered for the checkout. Every rule here is decided on the record as stored, with no
//! I/O between reading and writing it (see the module doc of [`super`]), so two checks at
//! once cannot spend more tries than are left.

use lipa_api::phone::Msisdn;
use lipa_api::ApiError;
use serde::{Deserialize, Serialize};

use crate::ids;

/// Wrong codes one code takes before it stops working.
pub const MAX_TRIES: u32 = 3;
/// How long a code works, ms.
pub const CODE_TTL_MS: i64 = 10 * 60_000;
/// How soon another code may be sent to the same number, ms.
pub const RESEND_AFTER_MS: i64 = 30_000;
/// Codes one number may be sent for one checkout.
pub const MAX_CODES: u32 = 3;

/// One number's verification on one checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneVerification {
    /// The number, E.164.
    pub e164: String,
    /// A random salt, new with every code.
    pub salt: String,
    /// SHA-256 of the salt and the code, hex (empty once verified).
    pub code_digest: String,
    /// When the last code was sent, Unix ms.
    pub sent_at_ms: i64,
    /// When the last code stops working, Unix ms.
    pub expires_at_ms: i64,
    /// Wrong codes typed against the last code.
    pub wrong_tries: u32,
    /// Codes sent to this number for this checkout.
    pub codes_sent: u32,
    /// Whether the number is verified for this checkout.
    pub verified: bool,
}

/// Why no code is sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSent {
    /// The number is verified already: nothing to send.
    Verified,
    /// The last code went out less than [`RESEND_AFTER_MS`] ago; another may go at this time.
    TooSoon {
        /// Unix ms.
        retry_at_ms: i64,
    },
    /// [`MAX_CODES`] were sent to this number for this checkout, or codes went to
    /// [`MAX_NUMBERS`] other numbers already.
    TooMany,
}

/// How many different numbers one checkout may send codes to: a customer may mistype or
/// change their number, but one checkout's credential must not become a way to text any
/// number in the country (each SMS is money, and each number grows the stored record).
pub const MAX_NUMBERS: usize = 3;

/// What checking a typed code found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// The code is right: the number is verified now.
    Verified,
    /// The number was verified before.
    AlreadyVerified,
    /// Wrong; so many tries are left on this code (0: ask for a new one).
    Incorrect {
        /// Tries left.
        left: u32,
    },
    /// No tries are left on this code.
    Exhausted,
    /// No code is live for this number (none sent, or it expired).
    NoLiveCode,
}

/// A random 6-digit code from the platform's cryptographic RNG (uniform: rejection
/// sampling, no modulo bias).
pub fn new_code() -> Result<String, ApiError> {
    const ZONE: u32 = u32::MAX - (u32::MAX % 1_000_000);
    loop {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).map_err(|e| {
            ApiError::new(lipa_api::ErrorCode::Internal, format!("no randomness: {e}"))
        })?;
        let n = u32::from_le_bytes(b);
        if n < ZONE {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// What is stored for `code`: SHA-256 of `salt`, a separator and the code, hex.
pub fn digest(salt: &str, code: &str) -> String {
    ids::sha256_hex(&format!("{salt}:{code}"))
}

/// The verification of `e164`, if one was started.
pub fn find<'a>(list: &'a [PhoneVerification], e164: &str) -> Option<&'a PhoneVerification> {
    list.iter().find(|v| v.e164 == e164)
}

/// Whether `e164` is verified for the checkout.
pub fn is_verified(list: &[PhoneVerification], e164: &str) -> bool {
    find(list, e164).is_some_and(|v| v.verified)
}

/// Whether a code may be sent to `msisdn` now (decided without changing anything, so a
/// refusal spends no limit).
pub fn may_send(list: &[PhoneVerification], msisdn: &Msisdn, now_ms: i64) -> Result<(), NotSent> {
    match find(list, &msisdn.e164()) {
        None if list.len() >= MAX_NUMBERS => Err(NotSent::TooMany),
        None => Ok(()),
        Some(v) if v.verified => Err(NotSent::Verified),
        Some(v) if v.codes_sent >= MAX_CODES => Err(NotSent::TooMany),
        Some(v) if now_ms < v.sent_at_ms + RESEND_AFTER_MS => Err(NotSent::TooSoon {
            retry_at_ms: v.sent_at_ms + RESEND_AFTER_MS,
        }),
        Some(_) => Ok(()),
    }
}

/// Records a new code for `msisdn` (its salt and digest; the previous code stops working),
/// if [`may_send`] allows one now.
pub fn issue(
    list: &mut Vec<PhoneVerification>,
    msisdn: &Msisdn,
    salt: String,
    code_digest: String,
    now_ms: i64,
) -> Result<PhoneVerification, NotSent> {
    may_send(list, msisdn, now_ms)?;
    let e164 = msisdn.e164();
    let codes_sent = find(list, &e164).map_or(0, |v| v.codes_sent) + 1;
    list.retain(|v| v.e164 != e164);
    let v = PhoneVerification {
        e164,
        salt,
        code_digest,
        sent_at_ms: now_ms,
        expires_at_ms: now_ms + CODE_TTL_MS,
        wrong_tries: 0,
        codes_sent,
        verified: false,
    };
    list.push(v.clone());
    Ok(v)
}

/// Checks a typed code against the stored digest, in constant time, counting a wrong one.
pub fn check(list: &mut [PhoneVerification], e164: &str, code: &str, now_ms: i64) -> Checked {
    let Some(v) = list.iter_mut().find(|v| v.e164 == e164) else {
        return Checked::NoLiveCode;
    };
    if v.verified {
        return Checked::AlreadyVerified;
    }
    if v.wrong_tries >= MAX_TRIES {
        return Checked::Exhausted;
    }
    if now_ms >= v.expires_at_ms {
        return Checked::NoLiveCode;
    }
    if ids::constant_time_eq(&digest(&v.salt, code), &v.code_digest) {
        v.verified = true;
        v.code_digest.clear();
        return Checked::Verified;
    }
    v.wrong_tries += 1;
    Checked::Incorrect {
        left: MAX_TRIES - v.wrong_tries,
    }
}

/// Tries left on the live code of `e164`.
pub fn tries_left(v: &PhoneVerification) -> u32 {
    MAX_TRIES.saturating_sub(v.wrong_tries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lipa_api::Country;

    fn gh(n: &str) -> Msisdn {
        Msisdn::parse(Country::GH, n).unwrap()
    }

    fn issued(code: &str, now: i64) -> (Vec<PhoneVerification>, String) {
        let mut list = Vec::new();
        let m = gh("024 000 0001");
        issue(&mut list, &m, "salt1".into(), digest("salt1", code), now).unwrap();
        (list, m.e164())
    }

    #[test]
    fn codes_are_six_random_digits() {
        let codes: Vec<String> = (0..50).map(|_| new_code().unwrap()).collect();
        assert!(codes
            .iter()
            .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert!(distinct.len() > 40, "{codes:?}");
    }

    #[test]
    fn codes_go_to_at_most_three_numbers_per_checkout() {
        let mut list = Vec::new();
        for n in ["024 000 0001", "024 000 0002", "024 000 0003"] {
            issue(&mut list, &gh(n), "s".into(), digest("s", "123456"), 0).unwrap();
        }
        assert_eq!(
            issue(
                &mut list,
                &gh("024 000 0004"),
                "s".into(),
                digest("s", "1"),
                0
            ),
            Err(NotSent::TooMany)
        );
        // A number already on the list may still get its next code.
        assert!(issue(
            &mut list,
            &gh("024 000 0001"),
            "s".into(),
            digest("s", "2"),
            RESEND_AFTER_MS
        )
        .is_ok());
    }

    #[test]
    fn only_a_salted_digest_is_stored() {
        let (list, _) = issued("123456", 0);
        let stored = serde_json::to_string(&list).unwrap();
        assert!(!stored.contains("123456"), "{stored}");
        assert_ne!(digest("a", "123456"), digest("b", "123456"));
    }

    #[test]
    fn the_right_code_verifies_and_is_remembered() {
        let (mut list, e164) = issued("123456", 0);
        assert!(!is_verified(&list, &e164));
        assert_eq!(check(&mut list, &e164, "123456", 1_000), Checked::Verified);
        assert!(is_verified(&list, &e164));
        assert_eq!(
            check(&mut list, &e164, "000000", 2_000),
            Checked::AlreadyVerified
        );
        assert!(!is_verified(&list, "+233240000002"));
    }

    #[test]
    fn three_wrong_codes_lock_the_code_even_for_the_right_one() {
        let (mut list, e164) = issued("123456", 0);
        assert_eq!(
            check(&mut list, &e164, "111111", 1),
            Checked::Incorrect { left: 2 }
        );
        assert_eq!(
            check(&mut list, &e164, "222222", 2),
            Checked::Incorrect { left: 1 }
        );
        assert_eq!(
            check(&mut list, &e164, "333333", 3),
            Checked::Incorrect { left: 0 }
        );
        assert_eq!(check(&mut list, &e164, "123456", 4), Checked::Exhausted);
        assert!(!is_verified(&list, &e164));
    }

    #[test]
    fn a_code_expires() {
        let (mut list, e164) = issued("123456", 0);
        assert_eq!(
            check(&mut list, &e164, "123456", CODE_TTL_MS),
            Checked::NoLiveCode
        );
        assert_eq!(
            check(&mut list, "+233240000009", "123456", 0),
            Checked::NoLiveCode
        );
    }

    #[test]
    fn resends_are_spaced_and_counted_and_a_new_code_replaces_the_old() {
        let m = gh("024 000 0001");
        let (mut list, e164) = issued("123456", 0);
        assert_eq!(
            issue(&mut list, &m, "s".into(), digest("s", "654321"), 1_000),
            Err(NotSent::TooSoon {
                retry_at_ms: RESEND_AFTER_MS
            })
        );
        check(&mut list, &e164, "000000", 2_000);
        let second = issue(
            &mut list,
            &m,
            "s2".into(),
            digest("s2", "654321"),
            RESEND_AFTER_MS,
        )
        .unwrap();
        assert_eq!((second.codes_sent, second.wrong_tries), (2, 0));
        assert_eq!(
            check(&mut list, &e164, "123456", RESEND_AFTER_MS + 1),
            Checked::Incorrect { left: 2 },
            "the first code stopped working"
        );
        issue(
            &mut list,
            &m,
            "s3".into(),
            digest("s3", "1"),
            2 * RESEND_AFTER_MS,
        )
        .unwrap();
        assert_eq!(
            may_send(&list, &m, 10 * RESEND_AFTER_MS),
            Err(NotSent::TooMany)
        );
        assert_eq!(list.len(), 1);
    }

    #[test]
    fn concurrent_checks_spend_at_most_the_tries_left() {
        // Each check is read → decide → write on the stored list: however many run, the
        // tries counted never pass MAX_TRIES and none after the third is even compared.
        let (mut list, e164) = issued("123456", 0);
        let outcomes: Vec<Checked> = (0..6)
            .map(|i| check(&mut list, &e164, "999999", i))
            .collect();
        let compared = outcomes
            .iter()
            .filter(|o| matches!(o, Checked::Incorrect { .. }))
            .count();
        assert_eq!(compared, MAX_TRIES as usize);
        assert_eq!(find(&list, &e164).unwrap().wrong_tries, MAX_TRIES);
    }
}
