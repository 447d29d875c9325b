//! The SMS gateway interface: how the edge sends a guest's verification code.
//!
//! `POST SMS_GATEWAY_URL` with `Authorization: Bearer SMS_GATEWAY_KEY` and the JSON body
//! `{"to": "+233240000001", "message": "…"}`; any 2xx is sent. Most SMS APIs take this shape
//! directly or behind a few lines of forwarding code; the sandbox plays one that shows the
//! message on its handset page.

use lipa_providers::{HttpRequest, Method};

use crate::config::SmsGateway;

/// The message carrying `code`, for `merchant`. Its last line is the WebOTP form
/// (`@host #code`), so a browser may offer to fill the code in the widget on `host`.
pub fn message(merchant: &str, code: &str, host: Option<&str>) -> String {
    let minutes = super::checkout::verification::CODE_TTL_MS / 60_000;
    let mut text = format!(
        "{code} is your code to pay {merchant} with mobile money. It expires in {minutes} \
         minutes. Never share it."
    );
    if let Some(host) = host.filter(|h| !h.is_empty()) {
        text.push_str(&format!("\n\n@{host} #{code}"));
    }
    text
}

/// The gateway's request (the key travels in a header, never in the URL).
pub fn request(gateway: &SmsGateway, to_e164: &str, message: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: gateway.url.clone(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            (
                "Authorization".into(),
                format!("Bearer {}", gateway.key.expose()),
            ),
        ],
        body: Some(serde_json::json!({ "to": to_e164, "message": message }).to_string()),
    }
}

/// Sends one SMS; the error is for the log (the gateway's words, never the message).
pub async fn send(gateway: &SmsGateway, to_e164: &str, message: &str) -> Result<(), String> {
    match crate::executor::perform(&request(gateway, to_e164, message)).await {
        Ok(r) if (200..300).contains(&r.status) => Ok(()),
        // The gateway's words may echo the message (and its code): cut out before shortening,
        // so no part of it survives the cut.
        Ok(r) => Err(format!(
            "SMS gateway answered {}: {}",
            r.status,
            r.body
                .replace(message, "(the message)")
                .chars()
                .take(200)
                .collect::<String>()
        )),
        Err(e) => Err(format!("SMS gateway: {e:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lipa_providers::Secret;

    #[test]
    fn the_request_carries_the_number_and_message_and_the_key_in_a_header() {
        let g = SmsGateway {
            url: "https://sms.example/send".into(),
            key: Secret::new("k_123"),
        };
        let m = message("Duka", "042917", Some("lipa.example"));
        assert!(m.starts_with("042917 is your code to pay Duka"), "{m}");
        assert!(m.ends_with("\n\n@lipa.example #042917"), "{m}");
        let r = request(&g, "+233240000001", &m);
        assert_eq!(r.url, "https://sms.example/send");
        assert_eq!(r.header("authorization"), Some("Bearer k_123"));
        let body: serde_json::Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["to"], "+233240000001");
        assert_eq!(body["message"], m);
    }
}
