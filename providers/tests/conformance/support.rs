//! What the scenarios run on: a tiny executor, the fake settings, the scripted transport
//! over a provider's fake (with faults), an in-memory store, an RSA verifier (the `rsa`
//! crate, as WebCrypto is on the edge), and one checkout's payments as the Checkout object
//! would hold them.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::task::{Context, Poll, Waker};

use async_trait::async_trait;
use lipa_api::Currency;
use lipa_providers::host::{
    Cache, Host, Lost, RsaCheck, RsaVerifier, Store, StoreError, Transport,
};
use lipa_providers::provider::{Attempt, Order, Prepared, Provider, Reading};
use lipa_providers::registry::Configure;
use lipa_providers::settings::Settings;
use lipa_providers::{
    CallError, Expected, HttpRequest, HttpResponse, ProviderId, ProviderPayment, Secret,
    SignatureError,
};

use crate::fakes::{self, Market, Model, Outcome, Route};

/// Runs a future that never waits (every fake answers at once) to completion.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a provider waited on something the fakes never do"),
    }
}

/// Settings from a list of pairs.
#[derive(Debug, Default, Clone)]
pub struct FakeSettings(pub HashMap<String, String>);

impl FakeSettings {
    /// The settings of every fake at once (the whole deployment).
    pub fn everything() -> FakeSettings {
        let mut all = FakeSettings::default();
        for m in fakes::all() {
            all.extend(m.as_ref());
        }
        all
    }

    /// The settings of one fake.
    pub fn of(model: &dyn Model) -> FakeSettings {
        let mut one = FakeSettings::default();
        one.extend(model);
        one
    }

    fn extend(&mut self, model: &dyn Model) {
        for (k, v) in model.settings() {
            self.0.insert(k.to_string(), v);
        }
    }
}

impl Settings for FakeSettings {
    fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).filter(|v| !v.is_empty()).cloned()
    }
    fn secret(&self, name: &str) -> Option<Secret> {
        self.text(name).map(Secret::new)
    }
}

/// What goes wrong with one request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// This answer instead; the provider never sees the request.
    Answer(HttpResponse),
    /// The request never reaches the provider.
    Unreached,
    /// The provider acts on it; the connection drops before its answer arrives.
    LoseAnswer,
    /// The provider acts on it; its answer comes after the timeout.
    Timeout,
    /// The provider acts on it and answers 2xx, but the body arrives as this.
    Garble(&'static str),
    /// The provider acts on it; its answer has these texts replaced (a status Lipa does not
    /// know where it had one Lipa knows).
    Rewrite(&'static [(&'static str, &'static str)]),
}

/// Which request a fault hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aim {
    /// The next request on this route.
    Next(Route),
    /// The request this many requests from now (0: the next one).
    Nth(usize),
}

/// One request as the transport saw it.
#[derive(Debug, Clone)]
pub struct Sent {
    /// What it was.
    pub route: Route,
    /// The request.
    pub request: HttpRequest,
    /// The timeout the provider gave it.
    pub timeout_ms: u64,
    /// The status the provider gave, `None` when no answer arrived.
    pub status: Option<u16>,
}

struct Wire {
    model: Box<dyn Model>,
    now_ms: i64,
    faults: VecDeque<(Aim, Fault)>,
    log: Vec<Sent>,
}

/// The scripted transport over one provider's fake.
pub struct Fake {
    wire: RefCell<Wire>,
}

impl Fake {
    /// A transport to `model`, at a fixed start time.
    pub fn new(model: Box<dyn Model>) -> Fake {
        Fake {
            wire: RefCell::new(Wire {
                model,
                now_ms: 1_767_225_600_000,
                faults: VecDeque::new(),
                log: Vec::new(),
            }),
        }
    }

    /// Makes `fault` happen to the request `aim` names.
    pub fn fault(&self, aim: Aim, fault: Fault) {
        self.wire.borrow_mut().faults.push_back((aim, fault));
    }

    /// The fake itself.
    pub fn model<T>(&self, f: impl FnOnce(&mut dyn Model) -> T) -> T {
        f(self.wire.borrow_mut().model.as_mut())
    }

    /// Moves the clock on.
    pub fn advance(&self, ms: i64) {
        self.wire.borrow_mut().now_ms += ms;
    }

    /// Every request so far.
    pub fn sent(&self) -> Vec<Sent> {
        self.wire.borrow().log.clone()
    }

    /// Requests so far on `route`.
    pub fn count(&self, route: Route) -> usize {
        self.wire
            .borrow()
            .log
            .iter()
            .filter(|s| s.route == route)
            .count()
    }

    /// Whether a fault is still waiting for its request.
    pub fn faults_left(&self) -> usize {
        self.wire.borrow().faults.len()
    }
}

impl Wire {
    /// The fault aimed at this request, if any; every `Nth` aim counts down.
    fn take_fault(&mut self, route: Route) -> Option<Fault> {
        let mut hit = None;
        let mut kept = VecDeque::new();
        for (aim, fault) in self.faults.drain(..) {
            let aimed = match aim {
                Aim::Nth(n) => n == 0,
                Aim::Next(r) => r == route,
            };
            if aimed && hit.is_none() {
                hit = Some(fault);
                continue;
            }
            let aim = match aim {
                Aim::Nth(n) => Aim::Nth(n.saturating_sub(1)),
                next => next,
            };
            kept.push_back((aim, fault));
        }
        self.faults = kept;
        hit
    }
}

#[async_trait(?Send)]
impl Transport for Fake {
    async fn send(&self, request: &HttpRequest, timeout_ms: u64) -> Result<HttpResponse, Lost> {
        let mut w = self.wire.borrow_mut();
        assert!(w.log.len() < 500, "runaway: 500 requests in one case");
        let route = w.model.route(request);
        let now = w.now_ms;
        let outcome = match w.take_fault(route) {
            None => Ok(w.model.handle(request, now)),
            Some(Fault::Answer(r)) => Ok(r),
            Some(Fault::Unreached) => Err(Lost::Network("connection refused".into())),
            Some(Fault::LoseAnswer) => {
                w.model.handle(request, now);
                Err(Lost::Network("connection reset by peer".into()))
            }
            Some(Fault::Timeout) => {
                w.model.handle(request, now);
                Err(Lost::Timeout)
            }
            Some(Fault::Garble(body)) => {
                let real = w.model.handle(request, now);
                assert!(real.is_success(), "garbled a {} answer", real.status);
                Ok(HttpResponse {
                    body: body.into(),
                    ..real
                })
            }
            Some(Fault::Rewrite(pairs)) => {
                let mut real = w.model.handle(request, now);
                for (from, to) in pairs {
                    real.body = real.body.replace(from, to);
                }
                Ok(real)
            }
        };
        w.log.push(Sent {
            route,
            request: request.clone(),
            timeout_ms,
            status: outcome.as_ref().ok().map(|r| r.status),
        });
        outcome
    }

    fn now_ms(&self) -> i64 {
        self.wire.borrow().now_ms
    }
}

/// What providers remember between checkouts, in memory; it can be made to fail.
#[derive(Debug, Default)]
pub struct MemStore {
    kept: RefCell<HashMap<(ProviderId, String), String>>,
    /// Operations so far.
    pub ops: Cell<usize>,
    /// The operation (counted from 0) that fails, if any.
    pub fail_at: Cell<Option<usize>>,
}

impl MemStore {
    fn op(&self) -> Result<(), StoreError> {
        let n = self.ops.get();
        self.ops.set(n + 1);
        match self.fail_at.get() {
            Some(at) if at == n => Err(StoreError("D1 is unavailable".into())),
            _ => Ok(()),
        }
    }
}

#[async_trait(?Send)]
impl Store for MemStore {
    async fn recall(&self, provider: ProviderId, key: &str) -> Result<Option<String>, StoreError> {
        self.op()?;
        Ok(self
            .kept
            .borrow()
            .get(&(provider, key.to_string()))
            .cloned())
    }

    async fn remember(
        &self,
        provider: ProviderId,
        key: &str,
        value: &str,
    ) -> Result<String, StoreError> {
        self.op()?;
        Ok(self
            .kept
            .borrow_mut()
            .entry((provider, key.to_string()))
            .or_insert_with(|| value.to_string())
            .clone())
    }

    async fn replace(
        &self,
        provider: ProviderId,
        key: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        self.op()?;
        self.kept
            .borrow_mut()
            .insert((provider, key.to_string()), value.to_string());
        Ok(())
    }
}

/// RSA-SHA256 (PKCS#1 v1.5) with the `rsa` crate, as WebCrypto verifies on the edge.
#[derive(Debug, Default)]
pub struct RsaCrate;

#[async_trait(?Send)]
impl RsaVerifier for RsaCrate {
    async fn verify(&self, check: RsaCheck) -> Result<(), SignatureError> {
        use rsa::pkcs1v15::{Signature, VerifyingKey};
        use rsa::pkcs8::DecodePublicKey;
        use rsa::signature::Verifier;
        let key = rsa::RsaPublicKey::from_public_key_der(&check.public_key_der)
            .map_err(|_| SignatureError::BadKey)?;
        let signature = Signature::try_from(check.signature.as_slice())
            .map_err(|_| SignatureError::Malformed)?;
        VerifyingKey::<sha2::Sha256>::new(key)
            .verify(&check.message, &signature)
            .map_err(|_| SignatureError::Mismatch)
    }
}

/// One provider as the suite runs it: how to configure it, and its id.
#[derive(Clone, Copy)]
pub struct Kit {
    /// The registry's configure function.
    pub configure: Configure,
    /// The provider's id.
    pub id: ProviderId,
}

impl Kit {
    /// A fresh provider over a fresh fake, with an empty store and cache.
    pub fn case(&self) -> Case {
        let model = fakes::for_id(self.id).unwrap_or_else(|| panic!("no fake for {:?}", self.id));
        let settings = FakeSettings::of(model.as_ref());
        let provider = (self.configure)(&settings)
            .unwrap_or_else(|e| panic!("{:?} refused its fake's settings: {e}", self.id))
            .unwrap_or_else(|| panic!("{:?} is off with its fake's settings", self.id));
        Case {
            provider,
            fake: Fake::new(model),
            store: MemStore::default(),
            cache: Cache::default(),
            rsa: RsaCrate,
            next: Cell::new(0),
        }
    }
}

/// One provider, its fake and the host it runs on.
pub struct Case {
    /// The provider under test.
    pub provider: Box<dyn Provider>,
    /// Its fake, behind the scripted transport.
    pub fake: Fake,
    /// Memory between checkouts.
    pub store: MemStore,
    /// Memory within an isolate.
    pub cache: Cache,
    /// RSA checks.
    pub rsa: RsaCrate,
    next: Cell<u32>,
}

/// A payment of a checkout, as the Checkout object stores it.
#[derive(Debug, Clone)]
pub struct Pay {
    /// Lipa's checkout id.
    pub checkout_id: String,
    /// Lipa's payment id.
    pub payment_id: String,
    /// The idempotency key stored before the first send.
    pub key: String,
    /// Where the customer pays.
    pub market: Market,
    /// Minor units.
    pub amount: i64,
    /// The checkout's preparation, when the provider needs one.
    pub prepared: Option<Prepared>,
    /// The provider's id, once it gave one.
    pub provider_ref: Option<String>,
}

impl Pay {
    /// The checkout as the provider sees it.
    pub fn order(&self) -> Order<'_> {
        Order {
            checkout_id: &self.checkout_id,
            amount: self.amount,
            currency: self.market.currency(),
            country: self.market.country,
            description: "Kikoi, blue",
            merchant_name: "Duka la Amani",
        }
    }

    /// The payment as the provider sees it.
    pub fn attempt(&self) -> Attempt<'_> {
        Attempt {
            payment_id: &self.payment_id,
            idempotency_key: &self.key,
            operator: self.market.operator,
            e164: self.market.e164,
            provider_ref: self.provider_ref.as_deref(),
            prepared: self.prepared.as_ref().map(|p| p.state.as_str()),
        }
    }

    /// The amounts the provider may report: the checkout's, and with the customer's fee.
    pub fn amounts(&self) -> Vec<i64> {
        let mut a = vec![self.amount];
        if let Some(fee) = self.prepared.as_ref().and_then(|p| p.customer_fee) {
            a.push(self.amount + fee);
        }
        a
    }
}

/// A checkout's amount: 1,500 in major units of `currency`.
pub fn amount_for(currency: Currency) -> i64 {
    1_500 * 10i64.pow(currency.exponent())
}

impl Case {
    /// The host over this case's fakes.
    pub fn host(&self) -> Host<'_> {
        Host {
            transport: &self.fake,
            store: &self.store,
            cache: &self.cache,
            rsa: &self.rsa,
        }
    }

    /// The fake clock, Unix ms.
    pub fn now(&self) -> i64 {
        self.fake.now_ms()
    }

    /// The provider's id.
    pub fn id(&self) -> ProviderId {
        self.provider.id()
    }

    /// A new checkout in market `m` (0: the first, 1: another currency) with one payment,
    /// prepared when the provider needs it.
    pub fn checkout(&self, m: usize) -> Pay {
        let market = self.fake.model(|f| f.markets())[m];
        let n = self.bump();
        let mut pay = Pay {
            checkout_id: format!("co_{n:04}ab{}", self.id().name()),
            payment_id: String::new(),
            key: String::new(),
            market,
            amount: amount_for(market.currency()),
            prepared: None,
            provider_ref: None,
        };
        self.name_payment(&mut pay);
        if self.provider.needs_preparation() {
            self.prepare(&mut pay);
        }
        pay
    }

    /// Another payment of the same checkout (same preparation).
    pub fn another_payment(&self, of: &Pay) -> Pay {
        let mut pay = of.clone();
        pay.provider_ref = None;
        self.name_payment(&mut pay);
        pay
    }

    fn bump(&self) -> u32 {
        let n = self.next.get() + 1;
        self.next.set(n);
        n
    }

    fn name_payment(&self, pay: &mut Pay) {
        let n = self.bump();
        pay.payment_id = format!("pay_{n:04}x{}", self.id().name());
        pay.key = format!("{n:08x}-3c1d-4e5f-9a0b-{:012x}", u64::from(n) * 7_919);
    }

    /// Prepares `pay`'s checkout.
    pub fn prepare(&self, pay: &mut Pay) {
        let prepared = block_on(self.provider.prepare(&self.host(), &pay.order()))
            .unwrap_or_else(|e| panic!("prepare: {e}"));
        pay.prepared = Some(prepared);
    }

    /// Starts `pay`.
    pub fn start(&self, pay: &Pay) -> Result<ProviderPayment, CallError> {
        block_on(
            self.provider
                .start(&self.host(), &pay.order(), &pay.attempt()),
        )
    }

    /// Starts `pay`, which must be answered; records the provider's id.
    pub fn started(&self, pay: &mut Pay) -> ProviderPayment {
        let p = self.start(pay).unwrap_or_else(|e| panic!("start: {e}"));
        pay.provider_ref = Some(p.provider_ref.clone());
        p
    }

    /// Reads `pay`.
    pub fn read(&self, pay: &Pay) -> Result<Reading, CallError> {
        block_on(
            self.provider
                .read(&self.host(), &pay.order(), &pay.attempt()),
        )
    }

    /// Reads `pay`, which the provider must know.
    pub fn found(&self, pay: &Pay) -> ProviderPayment {
        match self.read(pay) {
            Ok(Reading::Found(p)) => p,
            other => panic!("read: expected the payment, got {other:?}"),
        }
    }

    /// The reference the provider's answers about `pay` echo.
    pub fn reference(&self, pay: &Pay) -> String {
        self.provider
            .expected_reference(&pay.order(), &pay.attempt())
    }

    /// Why `p` does not belong to `pay`, if it does not.
    pub fn mismatch(&self, pay: &Pay, p: &ProviderPayment) -> Option<String> {
        let reference = self.reference(pay);
        let amounts = pay.amounts();
        p.echo.mismatch(&Expected {
            reference: &reference,
            amounts: &amounts,
            currency: pay.market.currency(),
        })
    }

    /// Ends `pay` at the fake.
    pub fn settle(&self, pay: &Pay, outcome: Outcome) {
        let reference = self.reference(pay);
        assert!(
            self.fake.model(|f| f.settle(&reference, &outcome)),
            "the fake has no payment {reference}"
        );
    }

    /// Which of the fake's payments `provider_ref` names (by its reference).
    pub fn owner(&self, provider_ref: &str) -> Option<String> {
        self.fake.model(|f| f.owner(provider_ref))
    }

    /// Payments the fake has taken.
    pub fn payments(&self) -> usize {
        self.fake.model(|f| f.payments())
    }
}

/// Runs `scenario` for every provider in the registry, each in isolation; fails naming every
/// provider it failed for (and a registered provider without a fake fails).
pub fn for_every_provider(scenario: &str, run: impl Fn(Kit)) {
    let settings = FakeSettings::everything();
    let mut failures = Vec::new();
    let mut ran = Vec::new();
    for (i, configure) in lipa_providers::registry::PROVIDERS.into_iter().enumerate() {
        let id = match configure(&settings) {
            Ok(Some(p)) => p.id(),
            Ok(None) => {
                failures.push(format!(
                    "PROVIDERS[{i}] stays off with every fake's settings: it has no fake in \
                     tests/conformance/fakes"
                ));
                continue;
            }
            Err(e) => {
                failures.push(format!("PROVIDERS[{i}] refused the fakes' settings: {e}"));
                continue;
            }
        };
        if fakes::for_id(id).is_none() {
            failures.push(format!("{id:?} has no fake"));
            continue;
        }
        let kit = Kit { configure, id };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(kit)));
        match outcome {
            Ok(()) => ran.push(id.name()),
            Err(e) => {
                let why = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panicked".into());
                failures.push(format!("{}: {why}", id.name()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{scenario} failed:\n  {}\n(passed: {})",
        failures.join("\n  "),
        ran.join(", ")
    );
}
