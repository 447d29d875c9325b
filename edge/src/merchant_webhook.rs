//! Delivery of one signed event to the merchant's server.

use lipa_api::event::SIGNATURE_HEADER;
use lipa_providers::{HttpRequest, Method};

use crate::checkout::log;
use crate::config::Merchant;
use crate::executor::{now_ms, perform};
use crate::signing::signature_header;

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
