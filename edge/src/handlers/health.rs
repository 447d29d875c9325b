//! `GET /health`: the configuration checked (a bad one answers 500 naming the setting), and
//! the URLs this deployment gives out: each configured provider's webhook endpoint, to
//! register in that provider's dashboard. Nothing secret is in it.

use lipa_providers::Registry;
use serde::Serialize;
use worker::{Request, Response};

use crate::config::Config;
use crate::error::{json_response, EdgeResult};

/// What `GET /health` answers.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Health {
    /// `ok`: the configuration was read and checked.
    pub status: &'static str,
    /// The configured providers, by name.
    pub providers: Vec<&'static str>,
    /// Where each provider that sends webhooks must send them.
    pub webhooks: Vec<Webhook>,
}

/// One provider's webhook endpoint on this deployment.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Webhook {
    /// The provider's name in configuration (`crisscross`).
    pub provider: &'static str,
    /// Its own name, as its dashboard says (`CrissCross`).
    pub brand: &'static str,
    /// This edge's `/webhooks/{name}`.
    pub url: String,
    /// The callback URL the edge sends the provider with each payment, where it sends one
    /// (Little's `LITTLE_CALLBACK_URL`): it should be `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

/// The report for an edge reached at `origin` (`https://pay.example.com`).
pub fn report(origin: &str, providers: &Registry) -> Health {
    let origin = origin.trim_end_matches('/');
    Health {
        status: "ok",
        providers: providers.ids().map(|id| id.name()).collect(),
        webhooks: providers
            .ids()
            .filter_map(|id| providers.get(id))
            .filter(|p| p.receives_webhooks())
            .map(|p| Webhook {
                provider: p.id().name(),
                brand: p.id().brand(),
                url: format!("{origin}/webhooks/{}", p.id().name()),
                callback_url: p.callback_url().map(str::to_string),
            })
            .collect(),
    }
}

/// `GET /health`.
pub fn health(req: &Request, config: &Config) -> EdgeResult<Response> {
    let origin = req.url()?.origin().ascii_serialization();
    Ok(json_response(&report(&origin, &config.providers), 200)?)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use lipa_providers::registry::all_sections;
    use lipa_providers::settings::{Kind, Settings};
    use lipa_providers::Secret;

    use super::*;

    struct Examples(BTreeMap<&'static str, &'static str>);

    impl Settings for Examples {
        fn text(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| v.to_string())
        }
        fn secret(&self, name: &str) -> Option<Secret> {
            self.0.get(name).map(|v| Secret::new(*v))
        }
    }

    #[test]
    fn lists_each_webhook_endpoint_and_no_secret() {
        let settings = Examples(
            all_sections()
                .flat_map(|s| s.settings.iter())
                .map(|s| match s.kind {
                    Kind::Var => (s.name, s.example),
                    Kind::Secret => (s.name, "s3cr3t-value"),
                })
                .collect(),
        );
        let registry = Registry::from_settings(&settings).unwrap();
        let health = report("https://pay.example.com/", &registry);
        assert_eq!(
            health.providers,
            ["crisscross", "honeycoin", "xtopay", "little", "dollr"]
        );
        let urls: Vec<(&str, &str)> = health
            .webhooks
            .iter()
            .map(|w| (w.provider, w.url.as_str()))
            .collect();
        assert_eq!(
            urls,
            [
                ("crisscross", "https://pay.example.com/webhooks/crisscross"),
                ("honeycoin", "https://pay.example.com/webhooks/honeycoin"),
                ("xtopay", "https://pay.example.com/webhooks/xtopay"),
                ("little", "https://pay.example.com/webhooks/little"),
            ],
            "Dollr sends no webhooks"
        );
        assert_eq!(
            health.webhooks[3].callback_url.as_deref(),
            Some("https://pay.example.com/webhooks/little")
        );
        let json = serde_json::to_string(&health).unwrap();
        assert!(!json.contains("s3cr3t"), "{json}");
    }
}
