//! Poll schedules from the providers' guides: how long to wait before asking about a live
//! payment again. Every schedule ends after a day (a late approval must still be found by
//! then); a payment past it is reconciled as expired.

/// How long to wait before asking the provider again, `elapsed_ms` after the payment
/// started: every 3 s for the first 30 s, every 10 s until 3 minutes, then every minute for
/// a day (a late approval must still be found), then never.
pub fn poll_delay_ms(elapsed_ms: i64) -> Option<i64> {
    match elapsed_ms {
        e if e < 30_000 => Some(3_000),
        e if e < 180_000 => Some(10_000),
        e if e < 86_400_000 => Some(60_000),
        _ => None,
    }
}

/// CrissCross's guide: every 2 s for the first 30 s, then every 5 s until 3 minutes, then the
/// reconciliation schedule (every minute for a day), since a prompt may still be approved
/// after the guide's polling stops.
pub fn crisscross_poll_delay_ms(elapsed_ms: i64) -> Option<i64> {
    match elapsed_ms {
        e if e < 30_000 => Some(2_000),
        e if e < 180_000 => Some(5_000),
        e if e < 86_400_000 => Some(60_000),
        _ => None,
    }
}

/// For providers that never call back (Dollr): every 2.5 s for the first two minutes while
/// the customer waits, every 10 s until ten minutes (PROCESSING may last that long), then
/// every minute for a day.
pub fn no_callback_poll_delay_ms(elapsed_ms: i64) -> Option<i64> {
    match elapsed_ms {
        e if e < 120_000 => Some(2_500),
        e if e < 600_000 => Some(10_000),
        e if e < 86_400_000 => Some(60_000),
        _ => None,
    }
}

/// For providers that promise a callback and ask for a status check only after `after_ms`
/// (Xtopay's five minutes): wait until then, then check on a backoff (a quarter of the time
/// since the first check, at least 15 s, at most 10 minutes) for a day.
pub fn callback_first_delay_ms(after_ms: i64, elapsed_ms: i64) -> Option<i64> {
    if elapsed_ms < after_ms {
        return Some(after_ms - elapsed_ms);
    }
    if elapsed_ms >= 86_400_000 {
        return None;
    }
    Some(((elapsed_ms - after_ms) / 4).clamp(15_000, 600_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crisscross_is_polled_on_its_guides_cadence_then_reconciled() {
        assert_eq!(crisscross_poll_delay_ms(0), Some(2_000));
        assert_eq!(crisscross_poll_delay_ms(29_999), Some(2_000));
        assert_eq!(crisscross_poll_delay_ms(30_000), Some(5_000));
        assert_eq!(crisscross_poll_delay_ms(180_000), Some(60_000));
        assert_eq!(crisscross_poll_delay_ms(86_400_000), None);
    }

    #[test]
    fn schedules_back_off_and_end() {
        assert_eq!(poll_delay_ms(0), Some(3_000));
        assert_eq!(poll_delay_ms(60_000), Some(10_000));
        assert_eq!(poll_delay_ms(600_000), Some(60_000));
        assert_eq!(poll_delay_ms(86_400_000), None);
    }

    #[test]
    fn callback_first_providers_wait_for_the_rule_then_back_off() {
        assert_eq!(callback_first_delay_ms(300_000, 0), Some(300_000));
        assert_eq!(callback_first_delay_ms(300_000, 299_000), Some(1_000));
        assert_eq!(callback_first_delay_ms(300_000, 300_000), Some(15_000));
        assert_eq!(callback_first_delay_ms(300_000, 700_000), Some(100_000));
        assert_eq!(callback_first_delay_ms(300_000, 80_000_000), Some(600_000));
        assert_eq!(callback_first_delay_ms(300_000, 86_400_000), None);
    }
}
