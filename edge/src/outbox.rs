//! The merchant events an object has to deliver, and when to try each again: the pure half of
//! at-least-once delivery (the sending is in [`crate::merchant_webhook`]).

use serde::{Deserialize, Serialize};

/// How long Lipa keeps retrying an event.
pub const RETRY_FOR_MS: i64 = 24 * 60 * 60 * 1000;
/// The first retry's delay; each next one is three times longer, at most [`MAX_DELAY_MS`].
const FIRST_DELAY_MS: i64 = 10_000;
/// The longest wait between two attempts.
const MAX_DELAY_MS: i64 = 3 * 60 * 60 * 1000;
/// Each delay is moved by up to this share either way, so retries from many objects spread.
const JITTER: f64 = 0.2;

/// A merchant webhook and its delivery state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundEvent {
    /// `evt_…`.
    pub event_id: String,
    /// The exact JSON body that is signed and sent.
    pub body: String,
    /// Attempts made.
    pub attempts: u32,
    /// When to try next, Unix ms; `None` once delivered or given up.
    pub next_attempt_at_ms: Option<i64>,
    /// When the merchant answered 2xx.
    pub delivered_at_ms: Option<i64>,
    /// Whether its row is in the event log, D1 `lipa_events` (see
    /// [`crate::merchant_webhook::attempt`]). Stored under a name of its own: an event stored
    /// before the log had its own database (its flag, `logged`, said `lipa`) reads `false` and
    /// writes its row into `lipa_events` with its next attempt, so that attempt's row has its
    /// event there.
    #[serde(default, rename = "in_lipa_events")]
    pub logged: bool,
}

/// The wait before the next attempt after `attempts` failed ones, `elapsed_ms` after the event
/// was created: 10 s, 30 s, 90 s, … tripling up to 3 h, each moved by ±20% with `jitter` in
/// [0, 1); `None` once the next attempt would fall beyond [`RETRY_FOR_MS`].
pub fn delivery_delay_ms(attempts: u32, elapsed_ms: i64, jitter: f64) -> Option<i64> {
    let exponent = attempts.saturating_sub(1).min(20);
    let base = FIRST_DELAY_MS
        .saturating_mul(3i64.saturating_pow(exponent))
        .min(MAX_DELAY_MS);
    let factor = 1.0 + JITTER * (2.0 * jitter.clamp(0.0, 1.0) - 1.0);
    let delay = (base as f64 * factor) as i64;
    (elapsed_ms + delay <= RETRY_FOR_MS).then_some(delay)
}

/// How long an attempt holds its event: another pass (an alarm, a webhook arriving at the same
/// time) does not send it again meanwhile. Longer than a delivery's 10 s timeout.
pub const LEASE_MS: i64 = 15_000;

/// Takes the events due at `now_ms` for one delivery pass, holding each for [`LEASE_MS`]; store
/// the outbox before sending them.
pub fn lease_due(outbox: &mut [OutboundEvent], now_ms: i64) -> Vec<OutboundEvent> {
    outbox
        .iter_mut()
        .filter(|e| e.next_attempt_at_ms.is_some_and(|t| t <= now_ms))
        .map(|e| {
            let due = e.clone();
            e.next_attempt_at_ms = Some(now_ms + LEASE_MS);
            due
        })
        .collect()
}

/// Records one attempt at `event_id`: delivered, or retried later (see [`delivery_delay_ms`]).
pub fn record_attempt(
    outbox: &mut [OutboundEvent],
    event_id: &str,
    delivered: bool,
    created_at_ms: i64,
    now_ms: i64,
    jitter: f64,
) {
    if let Some(e) = outbox.iter_mut().find(|e| e.event_id == event_id) {
        e.attempts += 1;
        if delivered {
            e.delivered_at_ms = Some(now_ms);
            e.next_attempt_at_ms = None;
        } else {
            e.next_attempt_at_ms =
                delivery_delay_ms(e.attempts, now_ms - created_at_ms, jitter).map(|d| now_ms + d);
        }
    }
}

/// Puts an event back in line now (the merchant asked for it again).
pub fn resend(outbox: &mut [OutboundEvent], event_id: &str, now_ms: i64) -> bool {
    match outbox.iter_mut().find(|e| e.event_id == event_id) {
        Some(e) => {
            e.next_attempt_at_ms = Some(now_ms);
            true
        }
        None => false,
    }
}

/// When an event was created, from its body's `created_at_ms` (0 if unreadable).
pub fn created_at_ms(event: &OutboundEvent) -> i64 {
    serde_json::from_str::<serde_json::Value>(&event.body)
        .ok()
        .and_then(|v| v.get("created_at_ms").and_then(serde_json::Value::as_i64))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_triple_with_jitter_and_stop_after_a_day() {
        assert_eq!(delivery_delay_ms(1, 0, 0.5), Some(10_000));
        assert_eq!(delivery_delay_ms(2, 0, 0.5), Some(30_000));
        assert_eq!(delivery_delay_ms(3, 0, 0.5), Some(90_000));
        assert_eq!(delivery_delay_ms(1, 0, 0.0), Some(8_000));
        assert_eq!(delivery_delay_ms(1, 0, 0.999_999), Some(11_999));
        assert_eq!(delivery_delay_ms(12, 0, 0.5), Some(MAX_DELAY_MS));
        assert_eq!(delivery_delay_ms(12, RETRY_FOR_MS - 1_000, 0.5), None);
        // A whole day of failures: attempts keep coming until the day is over, then stop.
        let (mut elapsed, mut attempts) = (0, 0);
        while let Some(d) = delivery_delay_ms(attempts + 1, elapsed, 0.5) {
            elapsed += d;
            attempts += 1;
        }
        assert!(
            elapsed <= RETRY_FOR_MS && elapsed > RETRY_FOR_MS - MAX_DELAY_MS,
            "{elapsed}"
        );
        assert!((12..=16).contains(&attempts), "{attempts}");
    }

    #[test]
    fn an_event_logged_before_the_event_log_moved_is_logged_again() {
        let before = r#"{"event_id":"evt_1","body":"{}","attempts":2,"next_attempt_at_ms":5,"delivered_at_ms":null,"logged":true}"#;
        let event: OutboundEvent = serde_json::from_str(before).expect("an outbox event");
        assert!(!event.logged, "its row is in lipa, not lipa_events");
        let now = OutboundEvent {
            logged: true,
            ..event
        };
        let text = serde_json::to_string(&now).expect("serializes");
        assert!(text.contains(r#""in_lipa_events":true"#), "{text}");
        let back: OutboundEvent = serde_json::from_str(&text).expect("reads back");
        assert!(back.logged);
    }

    #[test]
    fn a_leased_event_is_not_due_again_until_the_lease_ends() {
        let mut outbox = vec![OutboundEvent {
            event_id: "evt_1".into(),
            body: "{}".into(),
            attempts: 0,
            next_attempt_at_ms: Some(100),
            delivered_at_ms: None,
            logged: false,
        }];
        assert_eq!(lease_due(&mut outbox, 100).len(), 1);
        assert!(
            lease_due(&mut outbox, 101).is_empty(),
            "a second pass finds nothing"
        );
        assert_eq!(
            lease_due(&mut outbox, 100 + LEASE_MS).len(),
            1,
            "a crashed pass is retried"
        );
    }

    #[test]
    fn attempts_are_recorded_and_resend_puts_an_event_back() {
        let mut outbox = vec![OutboundEvent {
            event_id: "evt_1".into(),
            body: r#"{"created_at_ms":100}"#.into(),
            attempts: 0,
            next_attempt_at_ms: Some(100),
            delivered_at_ms: None,
            logged: false,
        }];
        assert_eq!(created_at_ms(&outbox[0]), 100);
        record_attempt(&mut outbox, "evt_1", false, 100, 200, 0.5);
        assert_eq!(outbox[0].next_attempt_at_ms, Some(10_200));
        record_attempt(&mut outbox, "evt_1", true, 100, 10_300, 0.5);
        assert_eq!(
            (
                outbox[0].attempts,
                outbox[0].delivered_at_ms,
                outbox[0].next_attempt_at_ms
            ),
            (2, Some(10_300), None)
        );
        assert!(resend(&mut outbox, "evt_1", 20_000));
        assert_eq!(outbox[0].next_attempt_at_ms, Some(20_000));
        assert!(!resend(&mut outbox, "evt_9", 20_000));
    }
}
