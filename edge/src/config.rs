//! The edge's configuration, read from the Worker's bindings once per request.
//!
//! Plain settings are `[vars]` in wrangler.toml; credentials are Worker secrets (in local
//! development, `--var` flags written by `cargo xtask dev`). Every credential is held in a
//! [`Secret`] that prints `***`.

use lipa_api::{ApiError, ErrorCode};
use lipa_providers::{crisscross, Secret};
use worker::Env;

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
    /// The CrissCross account.
    pub crisscross: crisscross::Config,
}

impl Config {
    /// Reads the configuration; a missing binding is a clear `misconfigured` error naming it.
    pub fn from_env(env: &Env) -> Result<Config, ApiError> {
        Ok(Config {
            merchant: Merchant {
                name: text(env, "MERCHANT_NAME")?,
                secret_key: secret(env, "MERCHANT_SECRET_KEY")?,
                webhook_url: text(env, "MERCHANT_WEBHOOK_URL")?,
                webhook_secret: secret(env, "MERCHANT_WEBHOOK_SECRET")?,
            },
            crisscross: crisscross::Config {
                base_url: text(env, "CRISSCROSS_BASE_URL")?
                    .trim_end_matches('/')
                    .to_string(),
                merchant_id: text(env, "CRISSCROSS_MERCHANT_ID")?,
                client_secret: secret(env, "CRISSCROSS_CLIENT_SECRET")?,
                webhook_secret: secret(env, "CRISSCROSS_WEBHOOK_SECRET")?,
                signature_header: text(env, "CRISSCROSS_SIGNATURE_HEADER")
                    .unwrap_or_else(|_| crisscross::DEFAULT_SIGNATURE_HEADER.to_string()),
            },
        })
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
