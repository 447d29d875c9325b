//! ISO-8601 timestamps as CrissCross writes them (`2026-01-01T00:00:00Z`,
//! `2026-01-01T00:00:00.123Z`, `2026-01-01T03:00:00+03:00`), read into Unix milliseconds.

/// Unix milliseconds of `text`, or `None` when it is not an ISO-8601 date-time. A time without
/// a zone is UTC (CrissCross's timestamps are UTC).
pub(super) fn unix_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_at_checked(10)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (y, m, d) = (
        number(date.get(0..4)?)?,
        number(date.get(5..7)?)?,
        number(date.get(8..10)?)?,
    );
    if date.get(4..5) != Some("-") || date.get(7..8) != Some("-") {
        return None;
    }
    let (hms, rest) = rest.split_at_checked(8)?;
    let (h, min, s) = (
        number(hms.get(0..2)?)?,
        number(hms.get(3..5)?)?,
        number(hms.get(6..8)?)?,
    );
    if hms.get(2..3) != Some(":") || hms.get(5..6) != Some(":") {
        return None;
    }
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || h > 23 || min > 59 || s > 60 {
        return None;
    }
    let (millis, zone) = match rest.strip_prefix(['.', ',']) {
        Some(fraction) => {
            let digits = fraction
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(fraction.len());
            if digits == 0 {
                return None;
            }
            let ms = format!("{:0<3}", &fraction[..digits.min(3)]);
            (number(&ms)?, &fraction[digits..])
        }
        None => (0, rest),
    };
    let offset_s = match zone {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match zone.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let hhmm = zone[1..].replace(':', "");
            // Split where a character ends: the zone may hold any text (`+0é2`).
            let (hh, mm) = hhmm.split_at_checked(2)?;
            if hhmm.len() != 4 {
                return None;
            }
            sign * (number(hh)? * 3600 + number(mm)? * 60)
        }
    };
    let seconds = days_from_civil(y, m, d) * 86_400 + h * 3600 + min * 60 + s - offset_s;
    seconds.checked_mul(1000)?.checked_add(millis)
}

/// Digits only (no sign), as a number.
fn number(digits: &str) -> Option<i64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days-from-civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_zone_with_a_multibyte_character_is_refused_not_a_panic() {
        assert_eq!(super::unix_ms("2026-11-27T10:00:00+1é1"), None);
        assert_eq!(super::unix_ms("2026-11-27T10:00:00+é0"), None);
    }

    use super::unix_ms;

    #[test]
    fn reads_utc_fractions_and_offsets() {
        assert_eq!(unix_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_ms("2026-01-01T00:00:00Z"), Some(1_767_225_600_000));
        assert_eq!(unix_ms("2026-01-01T00:00:00.5Z"), Some(1_767_225_600_500));
        assert_eq!(
            unix_ms("2026-01-01T00:00:00.123456Z"),
            Some(1_767_225_600_123)
        );
        assert_eq!(
            unix_ms("2026-01-01T03:00:00+03:00"),
            Some(1_767_225_600_000)
        );
        assert_eq!(unix_ms("2025-12-31T21:00:00-0300"), Some(1_767_225_600_000));
        assert_eq!(unix_ms("2024-02-29T12:00:00"), Some(1_709_208_000_000));
    }

    #[test]
    fn refuses_what_is_not_a_date_time() {
        for text in [
            "",
            "2026-01-01",
            "2026-13-01T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026/01/01T00:00:00Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+3",
            "2026-01-01T00:00:00 UTC",
            "tomorrow at noon",
            "+026-01-01T00:00:00Z",
            // Four bytes of zone that are not four characters (found by fuzzing: slicing
            // them at byte 2 panicked).
            "2026-01-01T00:00:00+0\u{e9}2",
            "2026-01-01T03:00:00.1230190-\u{fffd}s",
        ] {
            assert_eq!(unix_ms(text), None, "{text}");
        }
    }
}
