//! Delivery of signed events to the merchant's server: every attempt is logged in D1 (status
//! code, latency), which `GET /v1/events` reads; the retry schedule is [`crate::outbox`]'s.

use lipa_api::event::{
    EVENT_ID_HEADER, SIGNATURE_HEADER, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_TIMESTAMP_HEADER,
};
use lipa_providers::{HttpRequest, Method};
use worker::Env;

use crate::checkout::log;
use crate::config::Merchant;
use crate::event_log;
use crate::executor::{now_ms, perform};
use crate::outbox::{created_at_ms, record_attempt, OutboundEvent};
use crate::signing::sign;

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The event.
    pub event_id: String,
    /// The merchant's status code, if it answered.
    pub status: Option<u16>,
    /// Why there was no 2xx, when there was none.
    pub error: Option<String>,
    /// How long the attempt took.
    pub latency_ms: i64,
    /// The `Lipa-Signature` header sent, when the request was signed.
    pub signature: Option<String>,
    /// The `webhook-signature` header sent (Standard Webhooks), when the request was signed;
    /// its `webhook-timestamp` is `Lipa-Signature`'s `t`.
    pub standard_signature: Option<String>,
    /// Whether the event's row is in the D1 event log (written before its first attempt, and
    /// before a later one only if that write failed).
    pub logged: bool,
}

impl Attempt {
    /// Whether the merchant answered 2xx.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Sends `leased` events (from [`crate::outbox::lease_due`]), logging each attempt under
/// `owner` (`checkout:co_…` or `payout:…`, the object `POST /v1/events/{id}/resend` goes to).
pub async fn attempt(
    env: &Env,
    merchant: &Merchant,
    owner: &str,
    leased: &[OutboundEvent],
) -> Vec<Attempt> {
    let mut attempts = Vec::new();
    for event in leased {
        // The row is written once, before the first attempt (a merchant who reads the event
        // as it arrives finds it); a retry writes only its own attempt.
        let logged = event.logged
            || match event_log::insert(env, owner, event).await {
                Ok(()) => true,
                Err(e) => {
                    log("event_log_failed", &e.to_string());
                    false
                }
            };
        let mut attempt = deliver(merchant, &event.event_id, &event.body).await;
        attempt.logged = logged;
        if let Err(e) = event_log::record(env, event.attempts + 1, &attempt).await {
            log("delivery_log_failed", &e.to_string());
        }
        attempts.push(attempt);
    }
    attempts
}

/// Records attempts in the outbox: delivered, or retried with backoff and jitter.
pub fn record_attempts(outbox: &mut [OutboundEvent], attempts: &[Attempt], now_ms: i64) {
    for a in attempts {
        let created = outbox
            .iter()
            .find(|e| e.event_id == a.event_id)
            .map_or(now_ms, created_at_ms);
        let jitter = crate::ids::random_unit().unwrap_or(0.5);
        record_attempt(outbox, &a.event_id, a.delivered(), created, now_ms, jitter);
        if let Some(e) = outbox.iter_mut().find(|e| e.event_id == a.event_id) {
            e.logged |= a.logged;
        }
    }
}

/// Posts `body` to the merchant, signed both ways (see [`crate::signing`]).
pub async fn deliver(merchant: &Merchant, event_id: &str, body: &str) -> Attempt {
    let started = now_ms();
    let signed = match sign(&merchant.webhook_secrets(), event_id, started / 1000, body) {
        Ok(s) => s,
        Err(e) => {
            log("merchant_webhook_unsigned", &format!("{e:?}"));
            return Attempt {
                event_id: event_id.to_string(),
                status: None,
                error: Some("could not sign".into()),
                latency_ms: now_ms() - started,
                signature: None,
                standard_signature: None,
                logged: false,
            };
        }
    };
    let failed = |status: Option<u16>, error: String| Attempt {
        event_id: event_id.to_string(),
        status,
        error: Some(error),
        latency_ms: now_ms() - started,
        signature: Some(signed.lipa.clone()),
        standard_signature: Some(signed.standard.clone()),
        logged: false,
    };
    let req = HttpRequest {
        method: Method::Post,
        url: merchant.webhook_url.clone(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            (SIGNATURE_HEADER.into(), signed.lipa.clone()),
            (EVENT_ID_HEADER.into(), event_id.into()),
            (WEBHOOK_ID_HEADER.into(), event_id.into()),
            (
                WEBHOOK_TIMESTAMP_HEADER.into(),
                signed.timestamp.to_string(),
            ),
            (WEBHOOK_SIGNATURE_HEADER.into(), signed.standard.clone()),
        ],
        body: Some(body.to_string()),
    };
    match perform(&req).await {
        Ok(resp) if resp.is_success() => {
            log("merchant_webhook_delivered", event_id);
            Attempt {
                event_id: event_id.to_string(),
                status: Some(resp.status),
                error: None,
                latency_ms: now_ms() - started,
                signature: Some(signed.lipa),
                standard_signature: Some(signed.standard),
                logged: false,
            }
        }
        Ok(resp) => {
            log(
                "merchant_webhook_refused",
                &format!("{event_id} status {}", resp.status),
            );
            failed(Some(resp.status), format!("answered {}", resp.status))
        }
        Err(e) => {
            log("merchant_webhook_lost", &format!("{event_id} {e:?}"));
            failed(None, format!("{e:?}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> OutboundEvent {
        OutboundEvent {
            event_id: id.into(),
            body: r#"{"created_at_ms":1000}"#.into(),
            attempts: 0,
            next_attempt_at_ms: Some(1_000),
            delivered_at_ms: None,
            logged: false,
        }
    }

    fn tried(id: &str, status: Option<u16>, logged: bool) -> Attempt {
        Attempt {
            event_id: id.into(),
            status,
            error: None,
            latency_ms: 5,
            signature: None,
            standard_signature: None,
            logged,
        }
    }

    #[test]
    fn an_event_is_noted_logged_once_its_row_is_written_and_stays_so() {
        let mut outbox = vec![event("evt_a"), event("evt_b")];
        record_attempts(
            &mut outbox,
            &[tried("evt_a", Some(500), true), tried("evt_b", None, false)],
            2_000,
        );
        assert!(
            outbox[0].logged,
            "its row was written: a retry writes only its attempt"
        );
        assert!(
            !outbox[1].logged,
            "its row failed: the retry writes it again"
        );
        assert!(outbox
            .iter()
            .all(|e| e.attempts == 1 && e.next_attempt_at_ms.is_some()));
        record_attempts(&mut outbox, &[tried("evt_a", Some(200), false)], 20_000);
        assert!(outbox[0].logged, "a retry does not forget the row");
        assert_eq!(outbox[0].delivered_at_ms, Some(20_000));
    }
}
