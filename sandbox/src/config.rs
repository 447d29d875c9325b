//! The sandbox's settings, from the Worker's bindings.

use worker::Env;

use crate::crisscross::CrissCrossConfig;
use crate::dollr::DollrConfig;
use crate::honeycoin::HoneyConfig;
use crate::little::LittleConfig;
use crate::xtopay::XtopayConfig;

/// Everything the sandbox needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The edge's origin, e.g. `http://127.0.0.1:8787` (the shop calls it, the page loads
    /// `lipa.js` from it).
    pub edge_url: String,
    /// Where simulated CrissCross posts its webhooks.
    pub crisscross_webhook_url: String,
    /// The secret those webhooks are signed with.
    pub crisscross_webhook_secret: String,
    /// Simulated CrissCross's account settings.
    pub crisscross: CrissCrossConfig,
    /// Simulated HoneyCoin's account settings.
    pub honeycoin: HoneyConfig,
    /// Where simulated HoneyCoin posts its webhooks.
    pub honeycoin_webhook_url: String,
    /// The shared secret HoneyCoin puts in `X-Webhook-Signature`.
    pub honeycoin_webhook_secret: String,
    /// Simulated Little Pay's account settings.
    pub little: LittleConfig,
    /// Simulated Xtopay's account settings.
    pub xtopay: XtopayConfig,
    /// Simulated Dollr's account settings.
    pub dollr: DollrConfig,
    /// Where simulated Xtopay posts its callbacks.
    pub xtopay_webhook_url: String,
    /// The key Xtopay signs callbacks with.
    pub xtopay_webhook_secret: String,
    /// The demo shop's Lipa secret key (the shop is a merchant server).
    pub merchant_secret_key: String,
    /// The key Lipa signs the shop's webhooks with.
    pub merchant_webhook_secret: String,
}

fn get(env: &Env, name: &str) -> worker::Result<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .map_err(|_| worker::Error::RustError(format!("the sandbox is missing the setting {name}")))
}

/// A numeric setting, or its default.
fn number(env: &Env, name: &str, default: i64) -> i64 {
    get(env, name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

impl Config {
    /// Reads the settings; a missing one is an error naming it.
    pub fn from_env(env: &Env) -> worker::Result<Config> {
        let edge_url = get(env, "EDGE_URL")?.trim_end_matches('/').to_string();
        let approve_delay_ms = get(env, "APPROVE_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2_000);
        Ok(Config {
            honeycoin: HoneyConfig {
                api_key: get(env, "HONEYCOIN_API_KEY")?,
                public_key: get(env, "HONEYCOIN_PUBLIC_KEY")?,
                approve_delay_ms,
            },
            honeycoin_webhook_url: format!("{edge_url}/webhooks/honeycoin"),
            xtopay: XtopayConfig {
                basic: base64(&format!(
                    "{}:{}",
                    get(env, "XTOPAY_CLIENT_ID")?,
                    get(env, "XTOPAY_CLIENT_SECRET")?
                )),
                approve_delay_ms,
            },
            xtopay_webhook_url: format!("{edge_url}/webhooks/xtopay"),
            dollr: DollrConfig {
                client_id: get(env, "DOLLR_CLIENT_ID")?,
                client_secret: get(env, "DOLLR_CLIENT_SECRET")?,
                wallet_id: get(env, "DOLLR_WALLET_ID")?,
                payout_passcode: get(env, "DOLLR_PAYOUT_PASSCODE")?,
                token_minutes: number(env, "DOLLR_TOKEN_MINUTES", 60),
                approve_delay_ms,
                long_processing_ms: number(env, "DOLLR_LONG_PROCESSING_MS", 180_000),
                late_approval_ms: number(env, "DOLLR_LATE_APPROVAL_MS", 60_000),
                burst_limit: number(env, "DOLLR_BURST_LIMIT", 50) as usize,
            },
            little: LittleConfig {
                basic: base64(&format!(
                    "{}:{}",
                    get(env, "LITTLE_CLIENT_ID")?,
                    get(env, "LITTLE_CLIENT_SECRET")?
                )),
                api_key: get(env, "LITTLE_API_KEY")?,
                // A PEM passed as one line carries its line breaks as "\n".
                private_key_pem: get(env, "LITTLE_PRIVATE_KEY")?.replace("\\n", "\n"),
                approve_delay_ms,
            },
            xtopay_webhook_secret: get(env, "XTOPAY_WEBHOOK_SECRET")?,
            honeycoin_webhook_secret: get(env, "HONEYCOIN_WEBHOOK_SECRET")?,
            crisscross_webhook_url: format!("{edge_url}/webhooks/crisscross"),
            edge_url,
            crisscross_webhook_secret: get(env, "CRISSCROSS_WEBHOOK_SECRET")?,
            crisscross: CrissCrossConfig {
                merchant_id: get(env, "CRISSCROSS_MERCHANT_ID")?,
                client_secret: get(env, "CRISSCROSS_CLIENT_SECRET")?,
                approve_delay_ms,
            },
            merchant_secret_key: get(env, "MERCHANT_SECRET_KEY")?,
            merchant_webhook_secret: get(env, "MERCHANT_WEBHOOK_SECRET")?,
        })
    }
}

/// Standard base64 with padding (for the Basic credentials the simulator expects).
fn base64(text: &str) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(
            super::base64("YOUR_CLIENT_ID:YOUR_CLIENT_SECRET"),
            "WU9VUl9DTElFTlRfSUQ6WU9VUl9DTElFTlRfU0VDUkVU"
        );
        assert_eq!(super::base64("ab"), "YWI=");
        assert_eq!(super::base64("a"), "YQ==");
    }
}
