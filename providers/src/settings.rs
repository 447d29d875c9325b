//! How a provider reads its configuration section: plain settings and secrets by name, from
//! whatever the host keeps them in (Worker vars and secrets on the edge).

use crate::Secret;

/// Where a deployment's settings are read from.
pub trait Settings {
    /// A plain setting, `None` when unset or empty.
    fn text(&self, name: &str) -> Option<String>;
    /// A secret (or, in local development, a plain setting of that name), `None` when unset.
    fn secret(&self, name: &str) -> Option<Secret>;
}

/// A setting that is missing or wrong, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// The setting.
    pub name: String,
    /// What is wrong with it, in words a merchant can act on.
    pub problem: String,
}

impl std::fmt::Display for SettingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.problem)
    }
}

impl std::error::Error for SettingError {}

/// A plain setting that must be set.
pub fn required(settings: &dyn Settings, name: &str) -> Result<String, SettingError> {
    settings.text(name).ok_or_else(|| SettingError {
        name: name.to_string(),
        problem: format!("the edge is missing the setting {name}"),
    })
}

/// A secret that must be set.
pub fn required_secret(settings: &dyn Settings, name: &str) -> Result<Secret, SettingError> {
    settings.secret(name).ok_or_else(|| SettingError {
        name: name.to_string(),
        problem: format!("the edge is missing the secret {name}"),
    })
}

/// A base URL without its trailing slash: the setting that turns a provider on.
pub fn base_url(settings: &dyn Settings, name: &str) -> Option<String> {
    settings
        .text(name)
        .map(|b| b.trim_end_matches('/').to_string())
}

/// A whole number of seconds, in milliseconds; `default_ms` when unset, zero or unreadable.
pub fn seconds_ms(settings: &dyn Settings, name: &str, default_ms: i64) -> i64 {
    settings
        .text(name)
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|s| *s > 0)
        .map_or(default_ms, |s| s.saturating_mul(1000))
}

/// Whether a setting is a plain var (in the deployment's configuration file, visible in the
/// dashboard) or a secret (`wrangler secret put`, never in a file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A plain setting.
    Var,
    /// A credential.
    Secret,
}

/// What a deployment needs of a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Setting it turns its section on (a provider's base URL).
    Switch,
    /// Must be set whenever its section is on.
    Required,
    /// Has a default, or serves an optional feature.
    Optional,
}

/// One setting a deployment may give: the table `cargo xtask deploy` checks a configuration
/// against and the production template documents. Each provider's table sits next to its
/// `configure`, and a test keeps the two in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The name, as `configure` reads it.
    pub name: &'static str,
    /// A var or a secret.
    pub kind: Kind,
    /// Whether it must be set.
    pub need: Need,
    /// What it means, for a merchant.
    pub meaning: &'static str,
    /// A value of the right shape (tests configure every provider with these).
    pub example: &'static str,
}

impl Setting {
    /// A var.
    pub const fn var(name: &'static str, need: Need, meaning: &'static str) -> Setting {
        Setting {
            name,
            kind: Kind::Var,
            need,
            meaning,
            example: "example",
        }
    }

    /// A secret.
    pub const fn secret(name: &'static str, need: Need, meaning: &'static str) -> Setting {
        Setting {
            name,
            kind: Kind::Secret,
            need,
            meaning,
            example: "example-secret",
        }
    }

    /// The same setting with another example value.
    pub const fn example(self, example: &'static str) -> Setting {
        Setting { example, ..self }
    }
}

/// A configuration section: the edge's own settings, or one provider's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// The provider it configures, `None` for the edge's own section.
    pub provider: Option<crate::ProviderId>,
    /// Its settings.
    pub settings: &'static [Setting],
}

impl Section {
    /// The setting that turns the section on, if it has one.
    pub fn switch(&self) -> Option<&'static Setting> {
        self.settings.iter().find(|s| s.need == Need::Switch)
    }
}

/// The edge's own settings (read in `edge/src/config.rs`).
pub const EDGE: Section = Section {
    provider: None,
    settings: &[
        Setting::var(
            "MERCHANT_NAME",
            Need::Required,
            "your shop's name, shown in the widget",
        )
        .example("Duka"),
        Setting::secret(
            "MERCHANT_SECRET_KEY",
            Need::Required,
            "the key your server sends as Authorization: Bearer",
        ),
        Setting::secret(
            "MERCHANT_SECRET_KEY_NEXT",
            Need::Optional,
            "a second accepted key, set only while you rotate MERCHANT_SECRET_KEY",
        ),
        Setting::var(
            "MERCHANT_WEBHOOK_URL",
            Need::Required,
            "where Lipa posts signed events (https)",
        )
        .example("https://shop.example.com/lipa/webhooks"),
        Setting::secret(
            "MERCHANT_WEBHOOK_SECRET",
            Need::Required,
            "whsec_ followed by the base64 of 24 to 64 random bytes: Lipa-Signature is keyed \
             with this whole text (as Stripe does), webhook-signature (Standard Webhooks) with \
             the bytes its base64 decodes to; give the same text to either library",
        )
        .example("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        Setting::secret(
            "MERCHANT_WEBHOOK_SECRET_NEXT",
            Need::Optional,
            "while set (same form), every event also carries a signature with this key in \
             both headers (rotation)",
        )
        .example("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"),
        Setting::var(
            "ROUTES",
            Need::Optional,
            "which provider takes which country and operator: COUNTRY[/operator]=provider, \
             first match wins (default: every country to CrissCross)",
        )
        .example("KE=crisscross"),
        Setting::var(
            "PROMPT_LIMITS",
            Need::Optional,
            "spam protection, prompts per phone/checkout per window in seconds[, per locked \
             phone] (default 5/5 per 600, locked 20); codes sent by SMS share the per-phone \
             limit (the per-address limits are [worker] prompts_per_ip_per_minute and \
             codes_per_ip_per_minute)",
        )
        .example("5/5 per 600, locked 20"),
        Setting::var(
            "SMS_GATEWAY_URL",
            Need::Optional,
            "where the edge posts a guest's verification code by SMS (https; JSON \
             {\"to\", \"message\"} with Authorization: Bearer SMS_GATEWAY_KEY); required when a \
             route verifies phones (verify_phone, on for Xtopay)",
        )
        .example("https://sms.example.com/send"),
        Setting::secret(
            "SMS_GATEWAY_KEY",
            Need::Optional,
            "the SMS gateway's key, sent as Authorization: Bearer (required with \
             SMS_GATEWAY_URL)",
        ),
        Setting::var(
            "APPROVAL_WINDOW_S",
            Need::Optional,
            "replaces every provider's approval window, in seconds (tests shorten it; \
             leave unset in production)",
        )
        .example("180"),
    ],
};
