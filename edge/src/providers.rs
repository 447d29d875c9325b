//! The host the providers run on at the edge: [`crate::executor`] as their transport (the
//! only code that calls `fetch`), D1 as their memory between checkouts, WebCrypto for RSA,
//! and a per-isolate cache for tokens. Also how the edge's records are shown to a provider
//! (an [`Order`], an [`Attempt`]).

use std::rc::Rc;

use async_trait::async_trait;
use lipa_providers::host::{Cache, Lost, RsaCheck, RsaVerifier, Store, StoreError, Transport};
use lipa_providers::provider::{Attempt, Order};
use lipa_providers::{HttpRequest, HttpResponse, ProviderId, SignatureError};
use worker::Env;

pub use lipa_providers::host::Host;

use crate::checkout::record::{CheckoutRecord, PaymentRecord};
use crate::config::Config;

thread_local! {
    /// Tokens and rarely read lists, kept for the isolate's life.
    static CACHE: Rc<Cache> = Rc::new(Cache::default());
}

/// The edge's side of [`Host`]: owns what the borrowed host points at.
pub struct EdgeHost {
    env: Env,
    cache: Rc<Cache>,
}

impl EdgeHost {
    /// The host for calls made while serving one request.
    pub fn new(env: &Env) -> EdgeHost {
        EdgeHost {
            env: env.clone(),
            cache: CACHE.with(Rc::clone),
        }
    }

    /// The host as providers take it.
    pub fn host(&self) -> Host<'_> {
        Host {
            transport: &Fetcher,
            store: self,
            cache: &self.cache,
            rsa: &WebCrypto,
        }
    }
}

struct Fetcher;

#[async_trait(?Send)]
impl Transport for Fetcher {
    async fn send(&self, request: &HttpRequest, timeout_ms: u64) -> Result<HttpResponse, Lost> {
        crate::executor::perform_within(request, timeout_ms).await
    }

    fn now_ms(&self) -> i64 {
        crate::executor::now_ms()
    }
}

struct WebCrypto;

#[async_trait(?Send)]
impl RsaVerifier for WebCrypto {
    async fn verify(&self, check: RsaCheck) -> Result<(), SignatureError> {
        crate::webcrypto::verify_rsa_sha256(check).await
    }
}

fn store_error(e: worker::Error) -> StoreError {
    StoreError(e.to_string())
}

#[async_trait(?Send)]
impl Store for EdgeHost {
    async fn recall(&self, provider: ProviderId, key: &str) -> Result<Option<String>, StoreError> {
        crate::store::provider_memory(&self.env, provider, key)
            .await
            .map_err(store_error)
    }

    async fn remember(
        &self,
        provider: ProviderId,
        key: &str,
        value: &str,
    ) -> Result<String, StoreError> {
        let now = crate::executor::now_ms();
        let kept = crate::store::remember_first_for_provider(&self.env, provider, key, value, now)
            .await
            .map_err(store_error)?;
        Ok(kept.unwrap_or_else(|| value.to_string()))
    }

    async fn replace(
        &self,
        provider: ProviderId,
        key: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        let now = crate::executor::now_ms();
        crate::store::replace_for_provider(&self.env, provider, key, value, now)
            .await
            .map_err(store_error)
    }
}

/// The checkout as a provider sees it.
pub fn order<'a>(config: &'a Config, rec: &'a CheckoutRecord) -> Order<'a> {
    Order {
        checkout_id: &rec.id,
        amount: rec.amount,
        currency: rec.currency,
        country: rec.country,
        description: &rec.description,
        merchant_name: &config.merchant.name,
    }
}

/// A payment as its provider sees it; `e164` is the payment's number, formatted by the caller
/// (it outlives the borrow).
pub fn attempt<'a>(payment: &'a PaymentRecord, e164: &'a str) -> Attempt<'a> {
    Attempt {
        payment_id: &payment.id,
        idempotency_key: &payment.idempotency_key,
        operator: payment.operator,
        e164,
        provider_ref: payment.provider_ref.as_deref(),
        prepared: payment.prepared.as_deref(),
    }
}
