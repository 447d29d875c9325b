//! The edge's configuration, read from the Worker's bindings once per request.
//!
//! Plain settings are `[vars]` in wrangler.toml; credentials are Worker secrets (in local
//! development, `--var` flags written by `cargo xtask dev`). Every credential is held in a
//! [`Secret`] that prints `***`.

use lipa_api::{ApiError, ErrorCode};
use lipa_providers::settings::Settings;
use lipa_providers::{CallError, Provider, ProviderId, Registry, Secret};
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
#[derive(Debug)]
pub struct Config {
    /// The merchant.
    pub merchant: Merchant,
    /// The providers this deployment has a configuration section for.
    pub providers: Registry,
    /// `APPROVAL_WINDOW_S`: when set, replaces every provider's own approval window (how
    /// long a live payment blocks a new one); tests shorten it.
    pub approval_window_ms: Option<i64>,
    /// Spam protection (`PROMPT_LIMITS`).
    pub limits: PromptLimits,
    /// Which provider takes which country and operator (`ROUTES`).
    pub routes: RoutingTable,
}

/// The Worker's vars and secrets, as providers read their configuration sections.
struct EnvSettings<'a>(&'a Env);

impl Settings for EnvSettings<'_> {
    fn text(&self, name: &str) -> Option<String> {
        text(self.0, name).ok()
    }

    fn secret(&self, name: &str) -> Option<Secret> {
        secret(self.0, name).ok()
    }
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
            providers: Registry::from_settings(&EnvSettings(env))
                .map_err(|e| ApiError::new(ErrorCode::Misconfigured, e.problem))?,
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

    /// The provider payments of `id` go to: configured, since [`Config::from_env`] checked
    /// every provider the routes name.
    pub fn provider(&self, id: ProviderId) -> Result<&dyn Provider, CallError> {
        self.providers.require(id)
    }

    /// How long a live payment of `provider` holds its checkout: `APPROVAL_WINDOW_S` when
    /// set, else the provider's own window.
    pub fn approval_window_ms(&self, provider: &dyn Provider) -> i64 {
        self.approval_window_ms
            .unwrap_or_else(|| provider.approval_window_ms())
    }
}

impl Config {
    /// Checks that every provider the routing table names is configured.
    fn checked(self) -> Result<Config, ApiError> {
        for provider in self.routes.providers() {
            if self.providers.get(provider).is_none() {
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
