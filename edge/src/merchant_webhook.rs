//! Delivery of signed events to the merchant's server, and the bookkeeping of attempts that
//! every object with an outbox shares.

use lipa_api::event::SIGNATURE_HEADER;
use lipa_providers::{HttpRequest, Method};

use crate::checkout::log;
use crate::checkout::record::{delivery_delay_ms, OutboundEvent};
use crate::config::Merchant;
use crate::executor::{now_ms, perform};
use crate::signing::signature_header;

/// Sends every event of `outbox` that is due at `now_ms`; the outcome of each, by event id.
pub async fn attempt_due(
    merchant: &Merchant,
    outbox: &[OutboundEvent],
    now_ms: i64,
) -> Vec<(String, bool)> {
    let mut results = Vec::new();
    for event in outbox
        .iter()
        .filter(|e| e.next_attempt_at_ms.is_some_and(|t| t <= now_ms))
    {
        let ok = deliver(merchant, &event.event_id, &event.body).await;
        results.push((event.event_id.clone(), ok));
    }
    results
}

/// Records attempts: delivered, or retried on [`delivery_delay_ms`]'s backoff.
pub fn record_attempts(outbox: &mut [OutboundEvent], results: &[(String, bool)], now_ms: i64) {
    for (event_id, ok) in results {
        if let Some(e) = outbox.iter_mut().find(|e| &e.event_id == event_id) {
            e.attempts += 1;
            if *ok {
                e.delivered_at_ms = Some(now_ms);
                e.next_attempt_at_ms = None;
            } else {
                e.next_attempt_at_ms = delivery_delay_ms(e.attempts).map(|d| now_ms + d);
            }
        }
    }
}

/// Posts `body` to the merchant, signed; `true` when the merchant answered 2xx.
pub async fn deliver(merchant: &Merchant, event_id: &str, body: &str) -> bool {
    let signature = match signature_header(&merchant.webhook_secret, now_ms() / 1000, body) {
        Ok(s) => s,
        Err(e) => {
            log("merchant_webhook_unsigned", &format!("{e:?}"));
            return false;
        }
    };
    let req = HttpRequest {
        method: Method::Post,
        url: merchant.webhook_url.clone(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            (SIGNATURE_HEADER.into(), signature),
            ("Lipa-Event-Id".into(), event_id.into()),
        ],
        body: Some(body.to_string()),
    };
    match perform(&req).await {
        Ok(resp) if resp.is_success() => {
            log("merchant_webhook_delivered", event_id);
            true
        }
        Ok(resp) => {
            log(
                "merchant_webhook_refused",
                &format!("{event_id} status {}", resp.status),
            );
            false
        }
        Err(e) => {
            log("merchant_webhook_lost", &format!("{event_id} {e:?}"));
            false
        }
    }
}
