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
