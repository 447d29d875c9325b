//! The edge's configuration, read from the Worker's bindings once per isolate.
//!
//! Plain settings are Worker vars (in production, the `[vars]` of the merchant's
//! configuration file that `cargo xtask deploy` uploads; locally, `--var` flags written by
//! `cargo xtask dev`); credentials are Worker secrets. Every credential is held in a
//! [`Secret`] that prints `***`. The names read here are listed, with their meaning, in
//! [`lipa_providers::settings::EDGE`] (a test keeps the two in step).

use std::cell::RefCell;
use std::rc::Rc;

use lipa_api::{ApiError, ErrorCode};
use lipa_providers::settings::{required, required_secret, Settings};
use lipa_providers::{CallError, Provider, ProviderId, Registry, Secret};
use worker::Env;

use crate::ids::constant_time_eq;
use crate::limits::PromptLimits;
use crate::routing::{RoutingTable, DEFAULT_ROUTES};

/// The single merchant this deployment serves.
#[derive(Debug, Clone)]
pub struct Merchant {
    /// Display name shown in the widget.
    pub name: String,
    /// The key the merchant's server sends as `Authorization: Bearer`.
    pub secret_key: Secret,
    /// A second accepted key while the merchant rotates (`MERCHANT_SECRET_KEY_NEXT`).
    pub secret_key_next: Option<Secret>,
    /// Where Lipa posts signed events.
    pub webhook_url: String,
    /// `whsec_<base64>`: `Lipa-Signature` is keyed with this text as it is (as Stripe does),
    /// `webhook-signature` with the bytes its base64 decodes to (as Standard Webhooks does).
    pub webhook_secret: Secret,
    /// While set, every event also carries a `v1` signature with this key
    /// (`MERCHANT_WEBHOOK_SECRET_NEXT`), so the merchant's server can switch keys at any time.
    pub webhook_secret_next: Option<Secret>,
}

impl Merchant {
    /// Whether `key` is one of the merchant's active secret keys. Both are compared, in
    /// constant time, whatever the first comparison found.
    pub fn accepts_key(&self, key: &str) -> bool {
        let current = constant_time_eq(key, self.secret_key.expose());
        let next = self
            .secret_key_next
            .as_ref()
            .is_some_and(|k| constant_time_eq(key, k.expose()));
        current | next
    }

    /// The keys every event is signed with: the current one, then the next during a rotation.
    pub fn webhook_secrets(&self) -> Vec<&Secret> {
        std::iter::once(&self.webhook_secret)
            .chain(self.webhook_secret_next.as_ref())
            .collect()
    }
}

/// Where guests' verification codes are sent by SMS (`SMS_GATEWAY_URL`, `SMS_GATEWAY_KEY`).
#[derive(Debug, Clone)]
pub struct SmsGateway {
    /// The gateway's send endpoint.
    pub url: String,
    /// Sent as `Authorization: Bearer`.
    pub key: Secret,
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
    /// The SMS gateway for phone verification, when configured (required when a route
    /// verifies phones).
    pub sms: Option<SmsGateway>,
}

/// The Worker's vars and secrets, as providers read their configuration sections.
struct EnvSettings<'a>(&'a Env);

impl Settings for EnvSettings<'_> {
    fn text(&self, name: &str) -> Option<String> {
        text(self.0, name)
    }

    fn secret(&self, name: &str) -> Option<Secret> {
        secret(self.0, name)
    }
}

thread_local! {
    /// The configuration as this isolate first read it. A Worker's bindings do not change while
    /// its isolate lives (a new setting or secret is a new deployment, run by new isolates), and
    /// reading them costs a crossing of the wasm boundary per setting plus every provider's
    /// parsing: about half a millisecond of CPU, on every request and alarm before.
    static READ: RefCell<Option<Rc<Config>>> = const { RefCell::new(None) };
}

impl Config {
    /// The configuration, read once per isolate; a missing binding is a clear `misconfigured`
    /// error naming it (not kept: the next request reads the bindings again).
    pub fn from_env(env: &Env) -> Result<Rc<Config>, ApiError> {
        if let Some(config) = READ.with(|read| read.borrow().clone()) {
            return Ok(config);
        }
        let config = Rc::new(Config::from_settings(&EnvSettings(env))?);
        READ.with(|read| *read.borrow_mut() = Some(config.clone()));
        Ok(config)
    }

    /// Reads the configuration from `s` (the Worker's bindings, or a test's map).
    pub fn from_settings(s: &dyn Settings) -> Result<Config, ApiError> {
        let misconfigured = |e: lipa_providers::settings::SettingError| {
            ApiError::new(ErrorCode::Misconfigured, e.problem)
        };
        Config {
            merchant: Merchant {
                name: required(s, "MERCHANT_NAME").map_err(misconfigured)?,
                secret_key: required_secret(s, "MERCHANT_SECRET_KEY").map_err(misconfigured)?,
                secret_key_next: s.secret("MERCHANT_SECRET_KEY_NEXT"),
                webhook_url: required(s, "MERCHANT_WEBHOOK_URL").map_err(misconfigured)?,
                webhook_secret: required_secret(s, "MERCHANT_WEBHOOK_SECRET")
                    .map_err(misconfigured)?,
                webhook_secret_next: s.secret("MERCHANT_WEBHOOK_SECRET_NEXT"),
            },
            providers: Registry::from_settings(s).map_err(misconfigured)?,
            approval_window_ms: s
                .text("APPROVAL_WINDOW_S")
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|s| *s > 0)
                .map(|s| s * 1000),
            limits: match s.text("PROMPT_LIMITS") {
                None => PromptLimits::default(),
                Some(v) => PromptLimits::parse(&v)
                    .map_err(|e| ApiError::new(ErrorCode::Misconfigured, e))?,
            },
            routes: RoutingTable::parse(
                &s.text("ROUTES")
                    .unwrap_or_else(|| DEFAULT_ROUTES.to_string()),
            )
            .map_err(|e| ApiError::new(ErrorCode::Misconfigured, format!("ROUTES: {e}")))?,
            sms: sms_gateway(s)?,
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
    /// Checks that every provider the routing table names is configured, and that each
    /// webhook secret can sign Standard Webhooks (`whsec_<base64>`).
    fn checked(self) -> Result<Config, ApiError> {
        let secrets = [
            (
                "MERCHANT_WEBHOOK_SECRET",
                Some(&self.merchant.webhook_secret),
            ),
            (
                "MERCHANT_WEBHOOK_SECRET_NEXT",
                self.merchant.webhook_secret_next.as_ref(),
            ),
        ];
        for (name, secret) in secrets {
            if let Some(Err(e)) = secret.map(crate::signing::standard_key) {
                return Err(ApiError::new(
                    ErrorCode::Misconfigured,
                    format!("{name} {e}"),
                ));
            }
        }
        self.routes
            .check_configured(|p| self.providers.get(p).is_some())
            .map_err(|e| ApiError::new(ErrorCode::Misconfigured, e))?;
        if self.routes.any_verify_phone() && self.sms.is_none() {
            return Err(ApiError::new(
                ErrorCode::Misconfigured,
                "ROUTES verifies guests' phones (verify_phone, on for Xtopay) but SMS_GATEWAY_URL \
                 is not set",
            ));
        }
        Ok(self)
    }
}

/// `SMS_GATEWAY_URL` with its key, `None` when the URL is unset; a URL without its key is
/// refused by name.
fn sms_gateway(s: &dyn Settings) -> Result<Option<SmsGateway>, ApiError> {
    let url = lipa_providers::settings::base_url(s, "SMS_GATEWAY_URL");
    let key = s.secret("SMS_GATEWAY_KEY");
    match (url, key) {
        (None, _) => Ok(None),
        (Some(url), Some(key)) => Ok(Some(SmsGateway { url, key })),
        (Some(_), None) => Err(ApiError::new(
            ErrorCode::Misconfigured,
            "SMS_GATEWAY_URL is set but the edge is missing the secret SMS_GATEWAY_KEY",
        )),
    }
}

/// A Worker var, `None` when unset or empty.
fn text(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .map(|v| v.to_string())
        .ok()
        .filter(|v| !v.is_empty())
}

/// A Worker secret, or (in local development) a var of that name.
fn secret(env: &Env, name: &str) -> Option<Secret> {
    env.secret(name)
        .map(|v| v.to_string())
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| text(env, name))
        .map(Secret::new)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use lipa_providers::registry::all_sections;
    use lipa_providers::settings::{Kind, Need, EDGE};

    use super::*;

    /// Settings from a map, remembering every name read and whether as a secret.
    #[derive(Default)]
    struct Recording {
        values: BTreeMap<String, String>,
        read: RefCell<BTreeMap<String, Kind>>,
    }

    impl Settings for Recording {
        fn text(&self, name: &str) -> Option<String> {
            self.read.borrow_mut().insert(name.to_string(), Kind::Var);
            self.values.get(name).cloned()
        }

        fn secret(&self, name: &str) -> Option<Secret> {
            self.read
                .borrow_mut()
                .insert(name.to_string(), Kind::Secret);
            self.values.get(name).cloned().map(Secret::new)
        }
    }

    fn every_setting() -> Recording {
        Recording {
            values: all_sections()
                .flat_map(|s| s.settings.iter())
                .map(|s| (s.name.to_string(), s.example.to_string()))
                .collect(),
            ..Recording::default()
        }
    }

    #[test]
    fn the_edge_table_lists_exactly_what_the_edge_reads_and_how() {
        let settings = every_setting();
        Config::from_settings(&settings).expect("every table's examples configure the edge");
        let read = settings.read.into_inner();
        let expected: BTreeMap<String, Kind> = all_sections()
            .flat_map(|s| s.settings.iter())
            .map(|s| (s.name.to_string(), s.kind))
            .collect();
        assert_eq!(read, expected);
    }

    #[test]
    fn a_missing_required_edge_setting_is_named() {
        for s in EDGE.settings.iter().filter(|s| s.need == Need::Required) {
            let mut settings = every_setting();
            settings.values.remove(s.name);
            let e = Config::from_settings(&settings).expect_err(s.name);
            assert_eq!(e.code, ErrorCode::Misconfigured);
            assert!(e.message.contains(s.name), "{}: {}", s.name, e.message);
        }
        let mut settings = every_setting();
        settings.values.remove("CRISSCROSS_BASE_URL");
        let e = Config::from_settings(&settings).expect_err("a route to an unconfigured provider");
        assert!(e.message.contains("CRISSCROSS_BASE_URL"), "{}", e.message);
    }

    #[test]
    fn a_route_that_verifies_phones_needs_the_sms_gateway() {
        let mut settings = every_setting();
        settings
            .values
            .insert("ROUTES".into(), "KE=crisscross;verify_phone".into());
        assert!(Config::from_settings(&settings).is_ok());
        settings.values.remove("SMS_GATEWAY_URL");
        let e = Config::from_settings(&settings).expect_err("no gateway");
        assert!(e.message.contains("SMS_GATEWAY_URL"), "{}", e.message);
        let mut settings = every_setting();
        settings.values.remove("SMS_GATEWAY_KEY");
        let e = Config::from_settings(&settings).expect_err("no key");
        assert!(e.message.contains("SMS_GATEWAY_KEY"), "{}", e.message);
    }

    fn merchant(next: Option<&str>) -> Merchant {
        Merchant {
            name: "Duka".into(),
            secret_key: Secret::new("sk_live_old"),
            secret_key_next: next.map(Secret::new),
            webhook_url: "https://shop.example/hooks".into(),
            webhook_secret: Secret::new(OLD_WHSEC),
            webhook_secret_next: next.map(|_| Secret::new(NEW_WHSEC)),
        }
    }

    #[test]
    fn during_a_rotation_both_keys_are_accepted_and_nothing_else() {
        let steady = merchant(None);
        assert!(steady.accepts_key("sk_live_old"));
        assert!(!steady.accepts_key("sk_live_new"));
        assert!(!steady.accepts_key(""));
        assert_eq!(steady.webhook_secrets().len(), 1);
        let rotating = merchant(Some("sk_live_new"));
        assert!(rotating.accepts_key("sk_live_old"));
        assert!(rotating.accepts_key("sk_live_new"));
        assert!(!rotating.accepts_key("sk_live_ne"));
        assert!(!rotating.accepts_key(""));
        let secrets: Vec<&str> = rotating
            .webhook_secrets()
            .iter()
            .map(|s| s.expose())
            .collect();
        assert_eq!(secrets, [OLD_WHSEC, NEW_WHSEC]);
    }

    const OLD_WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const NEW_WHSEC: &str = "whsec_testDukaDemoNextWebhookSecret00000000000";

    #[test]
    fn a_webhook_secret_that_is_not_whsec_base64_is_refused_by_name() {
        for name in ["MERCHANT_WEBHOOK_SECRET", "MERCHANT_WEBHOOK_SECRET_NEXT"] {
            let mut settings = every_setting();
            settings
                .values
                .insert(name.to_string(), "whsec_not base64".to_string());
            let e = Config::from_settings(&settings).expect_err(name);
            assert_eq!(e.code, ErrorCode::Misconfigured);
            assert!(
                e.message.starts_with(&format!("{name} must be whsec_")),
                "{}",
                e.message
            );
            assert!(
                !e.message.contains("not base64"),
                "the secret is never echoed"
            );
        }
    }
}
