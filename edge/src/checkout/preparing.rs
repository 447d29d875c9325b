//! Preparing a checkout with the providers that need it before a payment (CrissCross's
//! session, Dollr's fee when the customer bears it), one run at a time.
//!
//! The alarm set at creation and the widget's first read usually arrive together. Each
//! preparation is a provider call (a CrissCross session is a real resource: two of them
//! would let two payments go out on one checkout; a Dollr fee preview spends its rate
//! limit), so the object keeps the run in flight and a second caller awaits it instead of
//! starting its own.

use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use lipa_providers::provider::Prepared;
use lipa_providers::ProviderId;
use worker::Env;

use super::log;
use super::record::CheckoutRecord;
use crate::config::Config;
use crate::providers::{order, EdgeHost};

/// What one run prepared: a preparation per provider that answered.
pub type Preparations = Vec<(ProviderId, Prepared)>;

/// A run in flight, awaited by everyone who found the checkout unprepared meanwhile.
pub type Run = Shared<LocalBoxFuture<'static, Preparations>>;

/// How long before a preparation ends that it is renewed (a payment started on it must be
/// sent while it still holds).
pub const PREPARATION_RENEW_MARGIN_MS: i64 = 120_000;

/// The providers the checkout's operators route to that need a (new) preparation at
/// `now_ms`.
pub fn due(config: &Config, rec: &CheckoutRecord, now_ms: i64) -> Vec<ProviderId> {
    let routed: std::collections::BTreeSet<ProviderId> = rec
        .country
        .operators()
        .iter()
        .filter_map(|op| config.routes.provider_for(rec.country, *op))
        .collect();
    routed
        .into_iter()
        .filter(|id| {
            config
                .provider(*id)
                .is_ok_and(|provider| provider.needs_preparation())
                && needs_preparing(rec, *id, now_ms)
        })
        .collect()
}

/// Whether the checkout needs a (new) preparation from `provider` at `now_ms`: none stored,
/// or the stored one ends within the margin.
pub fn needs_preparing(rec: &CheckoutRecord, provider: ProviderId, now_ms: i64) -> bool {
    rec.prepared.get(&provider).is_none_or(|p| {
        p.expires_at_ms
            .is_some_and(|end| end - now_ms < PREPARATION_RENEW_MARGIN_MS)
    })
}

/// A new run preparing `rec` with `providers`. It owns what it reads (the configuration is
/// read again from `env`), so it outlives the request that started it.
pub fn start(env: &Env, rec: &CheckoutRecord, providers: Vec<ProviderId>) -> Run {
    let env = env.clone();
    let rec = rec.clone();
    async move { prepare_all(&env, &rec, &providers).await }
        .boxed_local()
        .shared()
}

/// Asks each provider in turn; one that fails is left out (the next read tries again).
async fn prepare_all(env: &Env, rec: &CheckoutRecord, providers: &[ProviderId]) -> Preparations {
    let config = match Config::from_env(env) {
        Ok(config) => config,
        Err(e) => {
            log("preparation_failed", &e.to_string());
            return Vec::new();
        }
    };
    let host = EdgeHost::new(env);
    let mut prepared = Vec::new();
    for id in providers {
        let Ok(provider) = config.provider(*id) else {
            continue;
        };
        match provider.prepare(&host.host(), &order(&config, rec)).await {
            Ok(p) => prepared.push((*id, p)),
            Err(e) => log(
                "preparation_failed",
                &format!("{} {}: {e}", rec.id, id.name()),
            ),
        }
    }
    prepared
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(expires_at_ms: Option<i64>) -> Prepared {
        Prepared {
            state: "s".into(),
            expires_at_ms,
            operators: None,
            customer_fee: None,
        }
    }

    #[test]
    fn a_preparation_is_renewed_only_near_its_end() {
        let mut rec = crate::checkout::record::tests::record();
        assert!(needs_preparing(&rec, ProviderId::CrissCross, 0));
        rec.prepared
            .insert(ProviderId::CrissCross, prepared(Some(1_000_000)));
        assert!(!needs_preparing(
            &rec,
            ProviderId::CrissCross,
            1_000_000 - PREPARATION_RENEW_MARGIN_MS
        ));
        assert!(needs_preparing(
            &rec,
            ProviderId::CrissCross,
            1_000_000 - PREPARATION_RENEW_MARGIN_MS + 1
        ));
        rec.prepared.insert(ProviderId::CrissCross, prepared(None));
        assert!(!needs_preparing(&rec, ProviderId::CrissCross, i64::MAX));
    }
}
