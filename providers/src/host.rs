//! What a provider runs on: the host's [`Transport`] (the only way a provider reaches the
//! network), its [`Store`] (what a provider remembers between checkouts) and an RSA verifier.
//! The edge implements them over `fetch`, D1 and WebCrypto; the conformance suite over a
//! scripted fake.

use std::cell::RefCell;
use std::collections::HashMap;

use async_trait::async_trait;

use crate::http::{HttpRequest, HttpResponse};
use crate::signature::SignatureError;
use crate::token::TokenCache;
use crate::ProviderId;

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lost {
    /// No answer in time.
    Timeout,
    /// The connection failed.
    Network(String),
}

/// Sends a provider's requests.
#[async_trait(?Send)]
pub trait Transport {
    /// Sends `request` and reads the whole answer, or says why none came within `timeout_ms`.
    async fn send(&self, request: &HttpRequest, timeout_ms: u64) -> Result<HttpResponse, Lost>;
    /// Unix milliseconds now.
    fn now_ms(&self) -> i64;
}

/// A storage failure: nothing a provider was preparing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

/// What a provider must remember between checkouts (Dollr's parties, a payment's invoice),
/// as text under a key of its own; the host keeps it per provider.
#[async_trait(?Send)]
pub trait Store {
    /// What was stored under `key`, if anything.
    async fn recall(&self, provider: ProviderId, key: &str) -> Result<Option<String>, StoreError>;
    /// Stores `value` under `key` unless something is stored there already, and answers what
    /// is stored (the first value wins).
    async fn remember(
        &self,
        provider: ProviderId,
        key: &str,
        value: &str,
    ) -> Result<String, StoreError>;
    /// Stores `value` under `key`, replacing what was there (a payment sent again records
    /// what it was sent with last).
    async fn replace(&self, provider: ProviderId, key: &str, value: &str)
        -> Result<(), StoreError>;
}

/// What an RSA-SHA256 (PKCS#1 v1.5) verifier is given: the public key as SubjectPublicKeyInfo
/// DER, the exact signed bytes and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaCheck {
    /// The public key, DER.
    pub public_key_der: Vec<u8>,
    /// The signed bytes.
    pub message: Vec<u8>,
    /// The signature.
    pub signature: Vec<u8>,
}

/// Verifies RSA-SHA256 signatures (the edge hands them to WebCrypto).
#[async_trait(?Send)]
pub trait RsaVerifier {
    /// `Ok` when `check.signature` is a valid signature of `check.message`.
    async fn verify(&self, check: RsaCheck) -> Result<(), SignatureError>;
}

/// What a provider may keep in memory between requests of one isolate: bearer tokens, and
/// lists it reads rarely (HoneyCoin's operator ids).
#[derive(Debug, Default)]
pub struct Cache {
    tokens: RefCell<HashMap<ProviderId, TokenCache>>,
    lists: RefCell<HashMap<(ProviderId, String), String>>,
}

impl Cache {
    /// The provider's token cache, read or changed by `f`.
    pub fn tokens<T>(&self, provider: ProviderId, f: impl FnOnce(&mut TokenCache) -> T) -> T {
        f(self.tokens.borrow_mut().entry(provider).or_default())
    }

    /// A value cached under `key`.
    pub fn get(&self, provider: ProviderId, key: &str) -> Option<String> {
        self.lists
            .borrow()
            .get(&(provider, key.to_string()))
            .cloned()
    }

    /// Caches `value` under `key`.
    pub fn put(&self, provider: ProviderId, key: &str, value: String) {
        self.lists
            .borrow_mut()
            .insert((provider, key.to_string()), value);
    }
}

/// Everything a provider is handed for one call.
#[derive(Clone, Copy)]
pub struct Host<'a> {
    /// The network.
    pub transport: &'a dyn Transport,
    /// Memory between checkouts.
    pub store: &'a dyn Store,
    /// Memory within an isolate.
    pub cache: &'a Cache,
    /// RSA signature checks.
    pub rsa: &'a dyn RsaVerifier,
}

impl Host<'_> {
    /// Unix milliseconds now.
    pub fn now_ms(&self) -> i64 {
        self.transport.now_ms()
    }
}
