//! The edge's configuration, read from the Worker's bindings once per request.
//!
//! Plain settings are `[vars]` in wrangler.toml; credentials are Worker secrets (in local
//! development, `--var` flags written by `cargo xtask dev`). Every credential is held in a
//! [`Secret`] that prints `***`.

use lipa_api::{ApiError, ErrorCode};
use lipa_providers::{crisscross, dollr, honeycoin, little, xtopay, ProviderId, Secret};
use worker::Env;

use crate::limits::PromptLimits;
use crate::routing::{RoutingTable, DEFAULT_ROUTES};

/// The single merchant this deployment serves.
#[derive(Debug, Clone)]
pub struct Merchant {
    /// Display name shown in the widget.
    pub name: String,
    /// The key the merchant's server sends as `Authorization: Bearer`.
    pub secret_key: Secret,
    /// Where Lipa posts signed events.
    pub webhook_url: String,
    /// The key `Lipa-Signature` is computed with.
    pub webhook_secret: Secret,
}

/// Everything the edge needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The merchant.
    pub merchant: Merchant,
    /// The CrissCross account, when `CRISSCROSS_BASE_URL` is set.
    pub crisscross: Option<crisscross::Config>,
    /// The HoneyCoin account, when `HONEYCOIN_BASE_URL` is set.
    pub honeycoin: Option<honeycoin::Config>,
    /// The Little Pay account, when `LITTLE_BASE_URL` is set.
    pub little: Option<little::Config>,
    /// Where Little posts callbacks for this edge (`LITTLE_CALLBACK_URL`).
    pub little_callback_url: String,
    /// The Xtopay account, when `XTOPAY_BASE_URL` is set.
    pub xtopay: Option<xtopay::Config>,
    /// How long after initiation an Xtopay payment without a callback is checked
    /// (`XTOPAY_STATUS_CHECK_AFTER_S`, the guide's five minutes by default).
    pub xtopay_status_check_after_ms: i64,
    /// The Dollr account, when `DOLLR_BASE_URL` is set.
    pub dollr: Option<dollr::Config>,
    /// `APPROVAL_WINDOW_S`: when set, replaces every provider's own approval window (how
    /// long a live payment blocks a new one); tests shorten it.
    pub approval_window_ms: Option<i64>,
    /// Spam protection (`PROMPT_LIMITS`).
    pub limits: PromptLimits,
    /// Which provider takes which country and operator (`ROUTES`).
    pub routes: RoutingTable,
}

impl Config {
    /// Reads the configuration; a missing binding is a clear `misconfigured` error naming it.
    pub fn from_env(env: &Env) -> Result<Config, ApiError> {
        Config {
            merchant: Merchant {
                name: text(env, "MERCHANT_NAME")?,
                secret_key: secret(env, "MERCHANT_SECRET_KEY")?,
                webhook_url: text(env, "MERCHANT_WEBHOOK_URL")?,
                webhook_secret: secret(env, "MERCHANT_WEBHOOK_SECRET")?,
            },
            crisscross: match text(env, "CRISSCROSS_BASE_URL") {
                Err(_) => None,
                Ok(base) => Some(crisscross::Config {
                    base_url: base.trim_end_matches('/').to_string(),
                    merchant_id: text(env, "CRISSCROSS_MERCHANT_ID")?,
                    client_secret: secret(env, "CRISSCROSS_CLIENT_SECRET")?,
                    webhook_secret: secret(env, "CRISSCROSS_WEBHOOK_SECRET")?,
                    signature_header: text(env, "CRISSCROSS_SIGNATURE_HEADER")
                        .unwrap_or_else(|_| crisscross::DEFAULT_SIGNATURE_HEADER.to_string()),
                }),
            },
            honeycoin: match text(env, "HONEYCOIN_BASE_URL") {
                Err(_) => None,
                Ok(base) => Some(honeycoin::Config {
                    base_url: base.trim_end_matches('/').to_string(),
                    api_key: secret(env, "HONEYCOIN_API_KEY")?,
                    public_key: text(env, "HONEYCOIN_PUBLIC_KEY")?,
                    webhook_secret: secret(env, "HONEYCOIN_WEBHOOK_SECRET")?,
                }),
            },
            little: match text(env, "LITTLE_BASE_URL") {
                Err(_) => None,
                Ok(base) => Some(little::Config {
                    base_url: base.trim_end_matches('/').to_string(),
                    token_id: text(env, "LITTLE_TOKEN_ID")?,
                    client_id: text(env, "LITTLE_CLIENT_ID")?,
                    client_secret: secret(env, "LITTLE_CLIENT_SECRET")?,
                    api_key: secret(env, "LITTLE_API_KEY")?,
                    // A PEM given as one line carries its line breaks as "\n".
                    public_key_pem: text(env, "LITTLE_PUBLIC_KEY")?.replace("\\n", "\n"),
                    tolerance_s: text(env, "LITTLE_TOLERANCE_S")
                        .ok()
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(little::DEFAULT_TOLERANCE_S),
                }),
            },
            little_callback_url: text(env, "LITTLE_CALLBACK_URL").unwrap_or_default(),
            xtopay: match text(env, "XTOPAY_BASE_URL") {
                Err(_) => None,
                Ok(base) => Some(xtopay::Config {
                    base_url: base.trim_end_matches('/').to_string(),
                    client_id: text(env, "XTOPAY_CLIENT_ID")?,
                    client_secret: secret(env, "XTOPAY_CLIENT_SECRET")?,
                    webhook_secret: secret(env, "XTOPAY_WEBHOOK_SECRET")?,
                }),
            },
            xtopay_status_check_after_ms: text(env, "XTOPAY_STATUS_CHECK_AFTER_S")
                .ok()
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|s| *s > 0)
                .map_or(xtopay::STATUS_CHECK_AFTER_MS, |s| s * 1000),
            dollr: match text(env, "DOLLR_BASE_URL") {
                Err(_) => None,
                Ok(base) => Some(dollr::Config {
                    base_url: base.trim_end_matches('/').to_string(),
                    client_id: text(env, "DOLLR_CLIENT_ID")?,
                    client_secret: secret(env, "DOLLR_CLIENT_SECRET")?,
                    fee_bearer: match text(env, "DOLLR_FEE_BEARER") {
                        Err(_) => dollr::FeeBearer::Merchant,
                        Ok(v) => dollr::FeeBearer::parse(&v).ok_or_else(|| {
                            ApiError::new(
                                ErrorCode::Misconfigured,
                                format!("DOLLR_FEE_BEARER is {v:?}: use CUSTOMER or MERCHANT"),
                            )
                        })?,
                    },
                    wallet_id: text(env, "DOLLR_WALLET_ID").unwrap_or_default(),
                    payout_passcode: secret(env, "DOLLR_PAYOUT_PASSCODE")
                        .unwrap_or_else(|_| Secret::new("")),
                }),
            },
            approval_window_ms: text(env, "APPROVAL_WINDOW_S")
                .ok()
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|s| *s > 0)
                .map(|s| s * 1000),
            limits: match text(env, "PROMPT_LIMITS") {
                Err(_) => PromptLimits::default(),
                Ok(v) => PromptLimits::parse(&v)
                    .map_err(|e| ApiError::new(ErrorCode::Misconfigured, e))?,
            },
            routes: RoutingTable::parse(
                &text(env, "ROUTES").unwrap_or_else(|_| DEFAULT_ROUTES.to_string()),
            )
            .map_err(|e| ApiError::new(ErrorCode::Misconfigured, format!("ROUTES: {e}")))?,
        }
        .checked()
    }
}

impl Config {
    /// Checks that every provider the routing table names is configured.
    fn checked(self) -> Result<Config, ApiError> {
        for provider in self.routes.providers() {
            let configured = match provider {
                ProviderId::CrissCross => self.crisscross.is_some(),
                ProviderId::HoneyCoin => self.honeycoin.is_some(),
                ProviderId::Xtopay => self.xtopay.is_some(),
                ProviderId::Little => self.little.is_some() && !self.little_callback_url.is_empty(),
                ProviderId::Dollr => self.dollr.is_some(),
            };
            if !configured {
                return Err(ApiError::new(
                    ErrorCode::Misconfigured,
                    format!(
                        "ROUTES sends payments to {} but {}_BASE_URL is not set",
                        provider.name(),
                        provider.name().to_ascii_uppercase()
                    ),
                ));
            }
        }
        Ok(self)
    }
}

fn text(env: &Env, name: &str) -> Result<String, ApiError> {
    env.var(name)
        .map(|v| v.to_string())
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Misconfigured,
                format!("the edge is missing the setting {name}"),
            )
        })
}

fn secret(env: &Env, name: &str) -> Result<Secret, ApiError> {
    env.secret(name)
        .map(|v| Secret::new(v.to_string()))
        .or_else(|_| text(env, name).map(Secret::new))
        .map_err(|_| {
            ApiError::new(
                ErrorCode::Misconfigured,
                format!("the edge is missing the secret {name}"),
            )
        })
}
