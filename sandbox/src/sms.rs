//! The sandbox's SMS gateway: what the edge sends a guest's phone-verification code through
//! (`POST /sms/send`, `Authorization: Bearer SMS_GATEWAY_KEY`, `{"to", "message"}`). Every
//! message is kept (the newest [`KEPT`]) and shown on the handset page, where a person or a
//! test reads it (`GET /handset/api/sms?to=+233…`).

use serde::{Deserialize, Serialize};

/// How many messages the sandbox keeps.
pub const KEPT: usize = 200;

/// One SMS as the gateway received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sms {
    /// The number, E.164.
    pub to: String,
    /// The text.
    pub message: String,
    /// When it arrived, Unix ms.
    pub at_ms: i64,
}

/// The body the gateway takes.
#[derive(Debug, Deserialize)]
pub struct SendSms {
    /// The number.
    pub to: String,
    /// The text.
    pub message: String,
}

/// Checks a send request's key and body; the message to keep, or the status and error.
pub fn accept(
    authorization: Option<&str>,
    key: &str,
    body: &str,
    now_ms: i64,
) -> Result<Sms, (u16, &'static str)> {
    let expected = format!("Bearer {key}");
    if key.is_empty() || authorization != Some(expected.as_str()) {
        return Err((401, "wrong or missing SMS gateway key"));
    }
    let send: SendSms =
        serde_json::from_str(body).map_err(|_| (400, "expected {\"to\", \"message\"}"))?;
    let e164_like = send.to.starts_with('+')
        && send.to.len() > 8
        && send.to[1..].bytes().all(|b| b.is_ascii_digit());
    if !e164_like || send.message.is_empty() {
        return Err((
            400,
            "to must be an E.164 number and message must not be empty",
        ));
    }
    Ok(Sms {
        to: send.to,
        message: send.message,
        at_ms: now_ms,
    })
}

/// Adds `sms` to `kept`, dropping the oldest past [`KEPT`].
pub fn keep(kept: &mut Vec<Sms>, sms: Sms) {
    kept.push(sms);
    let excess = kept.len().saturating_sub(KEPT);
    kept.drain(..excess);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gateway_takes_only_its_key_and_a_number_with_a_message() {
        let body = r#"{"to":"+233240000001","message":"123456 is your code"}"#;
        assert_eq!(
            accept(Some("Bearer k"), "k", body, 5).unwrap(),
            Sms {
                to: "+233240000001".into(),
                message: "123456 is your code".into(),
                at_ms: 5
            }
        );
        assert_eq!(accept(Some("Bearer x"), "k", body, 5).unwrap_err().0, 401);
        assert_eq!(accept(None, "k", body, 5).unwrap_err().0, 401);
        assert_eq!(
            accept(
                Some("Bearer k"),
                "k",
                r#"{"to":"0240000001","message":"m"}"#,
                5
            )
            .unwrap_err()
            .0,
            400
        );
    }

    #[test]
    fn only_the_newest_are_kept() {
        let mut kept = Vec::new();
        for i in 0..(KEPT as i64 + 3) {
            keep(
                &mut kept,
                Sms {
                    to: "+1".into(),
                    message: "m".into(),
                    at_ms: i,
                },
            );
        }
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept[0].at_ms, 3);
    }
}
