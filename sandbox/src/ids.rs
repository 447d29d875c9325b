//! Identifiers, timestamps and comparisons the simulators need.

use subtle::ConstantTimeEq;

const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // Without randomness the sandbox still runs; ids then come from the clock and counter.
    if getrandom::fill(&mut b).is_err() {
        b.iter_mut().enumerate().for_each(|(i, x)| *x = i as u8);
    }
    b
}

/// `n` random id characters.
pub fn new_id(n: usize) -> String {
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let chunk = random_bytes::<16>();
        out.extend(chunk.iter().map(|b| ALPHABET[(b & 31) as usize] as char));
    }
    out.truncate(n);
    out
}

/// `n` random decimal digits (a one-time code).
pub fn new_digits(n: usize) -> String {
    let mut out = String::with_capacity(n);
    while out.len() < n {
        out.extend(
            random_bytes::<16>()
                .iter()
                .filter(|b| **b < 250)
                .map(|b| char::from(b'0' + b % 10)),
        );
    }
    out.truncate(n);
    out
}

/// A UUID v7 (time-ordered), as CrissCross uses for its ids.
pub fn uuid_v7(now_ms: i64) -> String {
    let mut b = random_bytes::<16>();
    let ts = (now_ms.max(0) as u64).to_be_bytes();
    b[..6].copy_from_slice(&ts[2..8]);
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// ISO-8601 UTC with milliseconds: `2026-11-22T07:01:18.000Z`.
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Compares two strings in constant time.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_795_330_878_123), "2026-11-22T07:01:18.123Z");
    }

    #[test]
    fn uuid_v7_is_time_ordered() {
        let a = uuid_v7(1_000);
        let b = uuid_v7(2_000);
        assert!(a < b);
        assert_eq!(&a[14..15], "7");
        assert_eq!(new_id(40).len(), 40);
    }
}
