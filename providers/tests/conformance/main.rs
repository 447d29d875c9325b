//! The providers' conformance suite: every scenario is written once and run for every
//! provider in [`lipa_providers::registry::PROVIDERS`], each configured with its fake's
//! settings and running over a scripted fake of its API (`fakes/`), with no network. A
//! provider added to the registry without a fake fails every scenario.
//!
//! The scenarios follow a payment the way the Checkout object does: prepare (when the
//! provider needs it), start, read until final, confirm webhooks with a read; and they break
//! it the ways the network and the providers do (lost answers, timeouts, unreadable bodies,
//! statuses Lipa does not know, duplicate sends, expired tokens and sessions, forged or
//! misdirected webhooks).

// Built only as a test: its helpers assert by panicking, as tests do.
#![cfg(test)]

mod fakes;
mod support;

use lipa_api::refund::TransferStatus;
use lipa_api::{FailureReason, NextAction, PaymentStatus};
use lipa_providers::call::PROVIDER_TIMEOUT_MS;
use lipa_providers::little::LONG_POLL_HOLD_MS;
use lipa_providers::provider::{
    Capability, Hint, OtpOutcome, PayoutOrder, Reading, Recipient, RefundOrder,
};
use lipa_providers::registry::{Registry, PROVIDERS};
use lipa_providers::{CallError, HttpResponse, ProviderError, SignatureError};

use fakes::{Outcome, Route, Signing, Webhook};
use support::{block_on, for_every_provider, Aim, Case, FakeSettings, Fault, Pay};

const DAY_MS: i64 = 86_400_000;

fn answer(status: u16, body: &str, headers: &[(&str, &str)]) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.into(),
    }
}

/// After a start whose answer never came: the read by Lipa's stored reference finds the
/// payment, or says it was never received and the same attempt is sent again. Either way
/// `pay` ends up naming the fake's payment.
fn recover(c: &Case, pay: &mut Pay) {
    assert!(pay.provider_ref.is_none());
    let reference = c.reference(pay);
    match c.read(pay) {
        Ok(Reading::Found(p)) => {
            assert_eq!(
                c.owner(&p.provider_ref),
                Some(reference.clone()),
                "the read by reference found {p:?}, which is not the fake's payment {reference}"
            );
            assert_eq!(c.mismatch(pay, &p), None, "{p:?}");
            assert!(
                !matches!(p.status, PaymentStatus::Failed { .. }),
                "a payment found after a lost answer is live: {p:?}"
            );
            pay.provider_ref = Some(p.provider_ref);
        }
        Ok(Reading::NotReceived) => {
            assert!(
                c.payments() == 0 || !c.fake.model(|f| f.reads_by_reference()),
                "the provider has the payment {reference} but its read by reference said \
                 NotReceived"
            );
            let p = c
                .start(pay)
                .unwrap_or_else(|e| panic!("the replay after NotReceived failed: {e:?}"));
            assert_eq!(c.owner(&p.provider_ref), Some(reference));
            pay.provider_ref = Some(p.provider_ref);
        }
        Err(e) => panic!("the read by reference after a lost answer failed: {e:?}"),
    }
}

/// Approves `pay` at the fake; a read then says it succeeded, with its echo.
fn approve_and_confirm(c: &Case, pay: &Pay) {
    c.settle(pay, Outcome::Approve);
    let p = c.found(pay);
    assert_eq!(p.status, PaymentStatus::Succeeded, "{p:?}");
    assert_eq!(c.mismatch(pay, &p), None, "{p:?}");
}

/// The provider's receipt of a paid `pay`, where it issues one, is for what was paid.
fn receipt_matches(c: &Case, pay: &Pay, at: &str) {
    let receipt = block_on(c.provider.receipt(&c.host(), &pay.attempt()))
        .unwrap_or_else(|e| panic!("{at}: receipt: {e:?}"));
    if let Some(r) = receipt {
        assert!(
            pay.amounts().contains(&r.total),
            "{at}: {r:?} for {:?}",
            pay.amounts()
        );
    }
}

/// The hint names `pay`: by Lipa's payment id, its checkout id, or a provider id of it.
fn names(c: &Case, hint: &Hint, pay: &Pay) -> bool {
    hint.payment_id.as_deref() == Some(pay.payment_id.as_str())
        || hint.checkout_id.as_deref() == Some(pay.checkout_id.as_str())
        || c.owner(&hint.provider_ref) == Some(c.reference(pay))
}

fn verify(c: &Case, webhook: &Webhook) -> Result<Hint, ProviderError> {
    block_on(c.provider.verify_webhook(&c.host(), &webhook.0, &webhook.1))
}

fn webhook(c: &Case, pay: &Pay, signing: Signing) -> Option<Webhook> {
    let reference = c.reference(pay);
    let now = c.now();
    c.fake.model(|f| f.webhook(&reference, signing, now))
}

// ---------------------------------------------------------------------------------------
// The registry

#[test]
fn every_registered_provider_has_a_fake_and_each_fake_turns_on_only_its_own() {
    let everything = FakeSettings::everything();
    let registry = Registry::from_settings(&everything).expect("the fakes' settings");
    let mut ids: Vec<_> = registry.ids().collect();
    assert_eq!(
        ids.len(),
        PROVIDERS.len(),
        "every provider is on: {registry:?}"
    );
    let mut faked: Vec<_> = fakes::all().iter().map(|f| f.id()).collect();
    ids.sort_by_key(|i| i.name());
    faked.sort_by_key(|i| i.name());
    assert_eq!(ids, faked, "one fake per registered provider");
    for model in fakes::all() {
        let only = Registry::from_settings(&FakeSettings::of(model.as_ref())).expect("settings");
        assert_eq!(only.ids().collect::<Vec<_>>(), vec![model.id()]);
    }
    assert_eq!(
        Registry::from_settings(&FakeSettings::default())
            .expect("nothing set")
            .ids()
            .count(),
        0,
        "a provider is on only when its base URL is set"
    );
    // The harness itself: a scenario that fails for a provider names it.
    let caught = std::panic::catch_unwind(|| {
        for_every_provider("self-check", |kit| {
            assert_ne!(kit.id, lipa_providers::ProviderId::Dollr, "planted");
        })
    });
    let why = caught.expect_err("a failing provider fails the scenario");
    let text = why.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        text.contains("\n  dollr: ") && text.contains("planted"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------
// 1. Approve

#[test]
fn s1_an_approved_payment_succeeds_under_the_providers_id_with_its_echo() {
    for_every_provider("approve", |kit| {
        let c = kit.case();
        let mut pay = c.checkout(0);
        if let Some(prepared) = &pay.prepared {
            if let Some(ops) = &prepared.operators {
                assert!(ops.contains(&pay.market.operator), "{prepared:?}");
            }
        }
        let started = c.started(&mut pay);
        assert!(
            matches!(
                started.status,
                PaymentStatus::Pending | PaymentStatus::Succeeded
            ),
            "{started:?}"
        );
        let reference = c.reference(&pay);
        assert!(!started.provider_ref.is_empty());
        assert_eq!(
            c.owner(&started.provider_ref),
            Some(reference.clone()),
            "the start names the fake's payment: {started:?}"
        );
        assert_eq!(c.mismatch(&pay, &started), None, "{started:?}");
        assert_eq!(c.payments(), 1);

        let live = c.found(&pay);
        assert_eq!(live.status, PaymentStatus::Pending, "{live:?}");
        assert_eq!(c.mismatch(&pay, &live), None);

        c.settle(&pay, Outcome::Approve);
        let paid = c.found(&pay);
        assert_eq!(paid.status, PaymentStatus::Succeeded, "{paid:?}");
        assert_eq!(paid.unknown_status, None);
        assert_eq!(c.mismatch(&pay, &paid), None, "{paid:?}");
        assert_eq!(
            paid.echo.reference.as_deref(),
            Some(reference.as_str()),
            "the read echoes Lipa's reference"
        );
        assert!(paid.echo.amount.is_some(), "the read echoes the amount");
        assert_eq!(c.owner(&paid.provider_ref), Some(reference));
        if c.provider.keeps_one_id() {
            assert_eq!(paid.provider_ref, started.provider_ref);
        }
        assert_eq!(c.payments(), 1);
        requests_are_bounded_and_keep_secrets_out_of_urls(&c);
    });
}

/// Every request the provider made waited a bounded time, at least the provider timeout (a
/// long-polled read longer than the provider holds it), and no URL carried a secret.
fn requests_are_bounded_and_keep_secrets_out_of_urls(c: &Case) {
    let secrets: Vec<String> = c.fake.model(|f| {
        f.settings()
            .into_iter()
            .filter(|(name, _)| {
                ["SECRET", "KEY", "PASSCODE"]
                    .iter()
                    .any(|s| name.contains(s))
            })
            .map(|(_, v)| v)
            .collect()
    });
    for sent in c.fake.sent() {
        let url = &sent.request.url;
        assert!(
            sent.timeout_ms >= PROVIDER_TIMEOUT_MS && sent.timeout_ms <= 60_000,
            "{url}: {} ms",
            sent.timeout_ms
        );
        if url.contains("longPoll=true") {
            assert!(sent.timeout_ms > LONG_POLL_HOLD_MS, "{url}");
        }
        for secret in &secrets {
            assert!(!url.contains(secret.as_str()), "{url} carries a secret");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 2. Decline with a typed reason

#[test]
fn s2_a_decline_carries_the_reason_the_provider_gave() {
    for_every_provider("decline", |kit| {
        for wanted in [
            FailureReason::InsufficientFunds,
            FailureReason::WrongPin,
            FailureReason::TimedOut,
            FailureReason::Cancelled,
        ] {
            let c = kit.case();
            let mut pay = c.checkout(0);
            c.started(&mut pay);
            c.settle(&pay, Outcome::Decline(wanted));
            let read = c.found(&pay);
            assert_eq!(c.mismatch(&pay, &read), None);
            match c.fake.model(|f| f.read_reason(wanted)) {
                Some(reason) => {
                    assert_ne!(reason, FailureReason::ProviderError);
                    assert_eq!(
                        read.status,
                        PaymentStatus::Failed {
                            reason,
                            retryable: true
                        },
                        "{wanted:?}"
                    );
                }
                None => {
                    // The status read cannot tell a failure: the verified webhook reports it.
                    assert_eq!(read.status, PaymentStatus::Pending, "{wanted:?}");
                    assert!(c.provider.receives_webhooks());
                    let reason = c
                        .fake
                        .model(|f| f.webhook_reason(wanted))
                        .expect("a failure the read cannot tell comes by webhook");
                    let hook = webhook(&c, &pay, Signing::Good).expect("a decline webhook");
                    let hint = verify(&c, &hook).expect("verified");
                    assert!(names(&c, &hint, &pay));
                    assert_eq!(
                        hint.reported_failure,
                        Some(PaymentStatus::Failed {
                            reason,
                            retryable: true
                        }),
                        "{wanted:?}"
                    );
                }
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// 3. A lost answer, at every request a start makes

#[test]
fn s3_a_start_cut_at_any_request_is_found_by_reference_and_taken_once() {
    for_every_provider("lost answer", |kit| {
        let requests = {
            let c = kit.case();
            let mut pay = c.checkout(0);
            let before = c.fake.sent().len();
            c.started(&mut pay);
            c.fake.sent()[before..]
                .iter()
                .map(|s| s.route)
                .collect::<Vec<_>>()
        };
        assert!(requests.contains(&Route::Create), "{requests:?}");
        for fault in [Fault::LoseAnswer, Fault::Timeout, Fault::Unreached] {
            for (k, route) in requests.iter().enumerate() {
                let at = format!("{fault:?} at request {k} ({route:?}) of {requests:?}");
                let c = kit.case();
                let mut pay = c.checkout(0);
                c.fake.fault(Aim::Nth(k), fault.clone());
                let e = match c.start(&pay) {
                    Err(e) => e,
                    Ok(p) => panic!("{at}: the start answered {p:?}"),
                };
                assert!(matches!(e, CallError::Lost(_)), "{at}: {e:?}");
                assert!(e.outcome_unknown(), "{at}");
                assert_eq!(e.payment_status(), PaymentStatus::Pending, "{at}");
                recover(&c, &mut pay);
                assert_eq!(c.payments(), 1, "{at}: exactly one payment");
                approve_and_confirm(&c, &pay);
                assert_eq!(c.payments(), 1, "{at}");
                receipt_matches(&c, &pay, &at);
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// 4. Unreadable answers, unknown statuses, timeouts and 5xx leave the payment pending

#[test]
fn s4_an_unreadable_2xx_on_start_is_pending_and_the_read_decides() {
    for_every_provider("unreadable 2xx", |kit| {
        for body in [
            "",
            "<html>Bad gateway</html>",
            "[]",
            "{}",
            r#"{"data":null}"#,
        ] {
            let c = kit.case();
            let mut pay = c.checkout(0);
            c.fake.fault(Aim::Next(Route::Create), Fault::Garble(body));
            let e = c.start(&pay).expect_err(body);
            assert!(
                matches!(e, CallError::Provider(ProviderError::Decode(_))),
                "{body}: {e:?}"
            );
            assert!(e.outcome_unknown(), "{body}");
            assert_eq!(e.payment_status(), PaymentStatus::Pending, "{body}");
            recover(&c, &mut pay);
            assert_eq!(c.payments(), 1, "{body}");
            approve_and_confirm(&c, &pay);
        }
    });
}

#[test]
fn s4_an_unknown_status_is_pending_never_failed_and_the_read_decides() {
    for_every_provider("unknown status", |kit| {
        let c = kit.case();
        let mut pay = c.checkout(0);
        // The start's answer, where it carries a status, carries one Lipa does not know.
        c.fake.fault(
            Aim::Next(Route::Create),
            Fault::Rewrite(&[
                ("\"PENDING\"", "\"ON_HOLD\""),
                ("\"PROCESSING\"", "\"ON_HOLD\""),
                ("\"0001\"", "\"0042\""),
            ]),
        );
        let started = c.start(&pay).expect("an unknown status is an answer");
        assert_eq!(started.status, PaymentStatus::Pending, "{started:?}");
        pay.provider_ref = Some(started.provider_ref.clone());
        assert_eq!(c.owner(&started.provider_ref), Some(c.reference(&pay)));

        c.settle(&pay, Outcome::Raw("ON_HOLD".into()));
        let read = c.found(&pay);
        assert_eq!(read.status, PaymentStatus::Pending, "{read:?}");
        assert_eq!(read.unknown_status.as_deref(), Some("ON_HOLD"), "{read:?}");
        assert_eq!(c.mismatch(&pay, &read), None);
        approve_and_confirm(&c, &pay);
    });
}

#[test]
fn s4_a_timeout_or_a_5xx_on_start_is_pending_and_the_read_decides() {
    for_every_provider("timeout / 5xx", |kit| {
        let cases = [
            (Fault::Timeout, true),
            (
                Fault::Answer(answer(503, "Service Unavailable", &[])),
                false,
            ),
            (
                Fault::Answer(answer(502, "<html>Bad gateway</html>", &[])),
                false,
            ),
            (
                Fault::Answer(answer(429, "", &[("Retry-After", "7")])),
                false,
            ),
        ];
        for (fault, taken) in cases {
            let c = kit.case();
            let mut pay = c.checkout(0);
            c.fake.fault(Aim::Next(Route::Create), fault.clone());
            let e = c.start(&pay).expect_err("no answer");
            assert!(e.outcome_unknown(), "{fault:?}: {e:?}");
            assert_eq!(e.payment_status(), PaymentStatus::Pending, "{fault:?}");
            if matches!(e, CallError::Provider(ProviderError::RateLimited { .. })) {
                assert_eq!(e.retry_after_ms(), Some(7_000));
            }
            assert_eq!(c.payments(), usize::from(taken), "{fault:?}");
            recover(&c, &mut pay);
            assert_eq!(c.payments(), 1, "{fault:?}");
            approve_and_confirm(&c, &pay);
        }
    });
}

#[test]
fn s4_a_store_failure_during_a_start_sends_nothing_after_it() {
    for_every_provider("store failure", |kit| {
        let ops = {
            let c = kit.case();
            let mut pay = c.checkout(0);
            let before = c.store.ops.get();
            c.started(&mut pay);
            c.store.ops.get() - before
        };
        for k in 0..ops {
            let c = kit.case();
            let mut pay = c.checkout(0);
            c.store.fail_at.set(Some(c.store.ops.get() + k));
            let e = c.start(&pay).expect_err("the store failed");
            assert!(matches!(e, CallError::Store(_)), "store op {k}: {e:?}");
            // A store failure fails the payment (retryable): nothing may have been taken.
            assert_eq!(c.payments(), 0, "store op {k}: a payment was sent");
            c.store.fail_at.set(None);
            recover(&c, &mut pay);
            assert_eq!(c.payments(), 1, "store op {k}");
        }
    });
}

// ---------------------------------------------------------------------------------------
// 5. Duplicate starts

#[test]
fn s5_the_same_attempt_sent_twice_is_one_payment() {
    for_every_provider("duplicate start", |kit| {
        let c = kit.case();
        let mut pay = c.checkout(0);
        let first = c.started(&mut pay);
        let reference = c.reference(&pay);
        match c.start(&pay) {
            Ok(again) => {
                assert_eq!(c.owner(&again.provider_ref), Some(reference.clone()));
                if c.provider.keeps_one_id() {
                    assert_eq!(again.provider_ref, first.provider_ref);
                }
                assert!(!again.status.is_terminal(), "{again:?}");
            }
            // The edge applies a replay's error to a payment it still thinks unsent: it
            // must not say the live payment failed.
            Err(e) => assert!(
                e.outcome_unknown(),
                "a replay of a live payment answered {e:?}, which fails it"
            ),
        }
        assert_eq!(c.payments(), 1, "one payment, never two");
        let live = c.found(&pay);
        assert_eq!(live.status, PaymentStatus::Pending);
        assert_eq!(c.owner(&live.provider_ref), Some(reference));

        // Once it is paid, a late replay still takes nothing more.
        c.settle(&pay, Outcome::Approve);
        let _ = c.start(&pay);
        assert_eq!(c.payments(), 1);
        assert_eq!(c.found(&pay).status, PaymentStatus::Succeeded);
    });
}

#[test]
fn s5_a_second_payment_on_a_one_payment_preparation_is_refused_while_the_first_is_live() {
    for_every_provider("second payment", |kit| {
        let c = kit.case();
        let mut first = c.checkout(0);
        c.started(&mut first);
        let second = c.another_payment(&first);
        let answer = c.start(&second);
        if c.provider.one_payment_per_preparation() {
            let e = answer.expect_err("one live payment per preparation");
            assert_eq!(e, CallError::Provider(ProviderError::Conflict));
            assert!(!e.outcome_unknown());
            assert_eq!(c.payments(), 1);
        } else {
            let p = answer.expect("another payment of the checkout");
            assert_eq!(c.owner(&p.provider_ref), Some(c.reference(&second)));
            assert_eq!(c.payments(), 2);
            assert_ne!(c.reference(&first), c.reference(&second));
        }
    });
}

// ---------------------------------------------------------------------------------------
// 6. Expired tokens and preparations

fn unauthorized() -> Fault {
    Fault::Answer(answer(401, r#"{"message":"Unauthorized"}"#, &[]))
}

#[test]
fn s6_a_401_renews_the_token_once_where_there_is_one_and_is_refused_otherwise() {
    for_every_provider("401", |kit| {
        // How many tokens a clean start asks for (none when one is cached already).
        let clean = {
            let c = kit.case();
            let mut pay = c.checkout(0);
            let before = c.fake.model(|f| f.tokens_issued());
            c.started(&mut pay);
            c.fake.model(|f| f.tokens_issued()) - before
        };
        // Once, on the start.
        let c = kit.case();
        let mut pay = c.checkout(0);
        let tokens = c.fake.model(|f| f.tokens_issued()) + clean;
        c.fake.fault(Aim::Next(Route::Create), unauthorized());
        let started = c.start(&pay);
        if c.fake.model(|f| f.uses_tokens()) {
            let p = started.expect("renewed once, then answered");
            pay.provider_ref = Some(p.provider_ref);
            assert_eq!(c.fake.model(|f| f.tokens_issued()), tokens + 1);
            assert_eq!(c.fake.count(Route::Create), 2);
            assert_eq!(c.payments(), 1);
            // Once, on a read.
            c.fake.fault(Aim::Next(Route::Read), unauthorized());
            assert_eq!(c.found(&pay).status, PaymentStatus::Pending);
            assert_eq!(c.fake.model(|f| f.tokens_issued()), tokens + 2);
        } else {
            let e = started.expect_err("Basic credentials cannot be renewed");
            assert_eq!(e, CallError::Provider(ProviderError::Unauthorized));
            assert!(!e.outcome_unknown());
            assert_eq!(c.fake.count(Route::Create), 1, "no retry loop");
            assert_eq!(c.payments(), 0);
        }

        // Twice: one renewal, then the refusal (no loop).
        let c = kit.case();
        let pay = c.checkout(0);
        let tokens = c.fake.model(|f| f.tokens_issued()) + clean;
        c.fake.fault(Aim::Next(Route::Create), unauthorized());
        c.fake.fault(Aim::Next(Route::Create), unauthorized());
        let e = c.start(&pay).expect_err("refused twice");
        assert_eq!(e, CallError::Provider(ProviderError::Unauthorized));
        assert!(!e.outcome_unknown());
        assert_eq!(c.payments(), 0);
        if c.fake.model(|f| f.uses_tokens()) {
            assert_eq!(c.fake.count(Route::Create), 2);
            assert_eq!(c.fake.model(|f| f.tokens_issued()), tokens + 1);
        } else {
            c.fake.fault(Aim::Next(Route::Create), unauthorized());
            assert_eq!(c.fake.faults_left(), 2, "asked once only");
        }
    });
}

#[test]
fn s6_a_token_past_its_life_is_renewed_before_it_is_refused() {
    for_every_provider("token expiry", |kit| {
        let c = kit.case();
        let mut pay = c.checkout(0);
        c.started(&mut pay);
        let tokens = c.fake.model(|f| f.tokens_issued());
        c.fake.advance(3 * 3_600_000);
        assert_eq!(c.found(&pay).status, PaymentStatus::Pending);
        let refused = c
            .fake
            .sent()
            .iter()
            .filter(|s| s.status == Some(401))
            .count();
        assert_eq!(refused, 0, "no request was sent with a dead token");
        if c.fake.model(|f| f.uses_tokens()) {
            assert_eq!(c.fake.model(|f| f.tokens_issued()), tokens + 1);
        }
    });
}

#[test]
fn s6_a_preparation_that_ended_is_gone_and_a_new_one_takes_the_payment() {
    for_every_provider("preparation expiry", |kit| {
        let c = kit.case();
        let mut pay = c.checkout(0);
        let Some(prepared) = pay.prepared.clone() else {
            assert!(!c.provider.needs_preparation());
            return;
        };
        let now = c.now();
        let Some(ends) = prepared.expires_at_ms else {
            assert!(
                !c.fake.model(|f| f.expire_preparation(&prepared.state)),
                "a preparation that lasts the checkout's life does not end"
            );
            return;
        };
        assert!(ends > now && ends <= now + DAY_MS, "{prepared:?}");

        // Ended early at the provider.
        assert!(c.fake.model(|f| f.expire_preparation(&prepared.state)));
        let e = c.start(&pay).expect_err("the preparation ended");
        assert_eq!(e, CallError::Provider(ProviderError::Gone));
        assert!(!e.outcome_unknown());
        assert_eq!(c.payments(), 0);
        c.prepare(&mut pay);
        assert_ne!(
            pay.prepared.as_ref().map(|p| &p.state),
            Some(&prepared.state)
        );
        c.started(&mut pay);
        assert_eq!(c.payments(), 1);

        // Ended by time.
        let c = kit.case();
        let mut pay = c.checkout(0);
        let ends = pay
            .prepared
            .as_ref()
            .and_then(|p| p.expires_at_ms)
            .expect("expiry");
        c.fake.advance(ends - c.now() + 1);
        let e = c.start(&pay).expect_err("the preparation's time is up");
        assert_eq!(e, CallError::Provider(ProviderError::Gone));
        c.prepare(&mut pay);
        c.started(&mut pay);
        approve_and_confirm(&c, &pay);
    });
}

// ---------------------------------------------------------------------------------------
// 7. Webhooks

#[test]
fn s7_a_signed_webhook_is_a_hint_naming_its_payment() {
    for_every_provider("webhook", |kit| {
        let c = kit.case();
        let mut pay = c.checkout(0);
        c.started(&mut pay);
        if !c.provider.receives_webhooks() {
            assert!(webhook(&c, &pay, Signing::Good).is_none());
            let e = verify(&c, &(vec![], b"{}".to_vec())).expect_err("no webhooks");
            assert!(matches!(e, ProviderError::Unsupported(_)), "{e:?}");
            return;
        }
        let before = webhook(&c, &pay, Signing::Good);
        c.settle(&pay, Outcome::Approve);
        let hook = webhook(&c, &pay, Signing::Good).expect("a webhook");
        let hint = verify(&c, &hook).expect("a good signature verifies");
        assert!(names(&c, &hint, &pay), "{hint:?} does not name {pay:?}");
        if c.provider.keeps_one_id() {
            assert_eq!(Some(&hint.provider_ref), pay.provider_ref.as_ref());
        }
        assert_eq!(
            hint.reported_failure, None,
            "success is never taken from a hook"
        );
        assert!(!hint.event_id.is_empty());
        assert_eq!(
            verify(&c, &hook).expect("again").event_id,
            hint.event_id,
            "a redelivery dedupes"
        );
        if let Some(before) = before {
            let earlier = verify(&c, &before).expect("the earlier news verifies");
            assert_ne!(earlier.event_id, hint.event_id, "other news, other event");
        }
        // The hint is confirmed with a read by the payment's own stored reference.
        assert_eq!(c.found(&pay).status, PaymentStatus::Succeeded);
    });
}

#[test]
fn s7_a_wrong_missing_or_stale_signature_is_refused() {
    for_every_provider("webhook signature", |kit| {
        let c = kit.case();
        if !c.provider.receives_webhooks() {
            return;
        }
        let mut pay = c.checkout(0);
        c.started(&mut pay);
        c.settle(&pay, Outcome::Approve);
        let wrong = webhook(&c, &pay, Signing::Wrong).expect("a webhook");
        assert!(
            matches!(verify(&c, &wrong), Err(ProviderError::Signature(_))),
            "{:?}",
            verify(&c, &wrong)
        );
        let missing = webhook(&c, &pay, Signing::Missing).expect("a webhook");
        assert_eq!(
            verify(&c, &missing),
            Err(ProviderError::Signature(SignatureError::Missing))
        );
        if let Some(stale) = webhook(&c, &pay, Signing::Stale) {
            assert_eq!(
                verify(&c, &stale),
                Err(ProviderError::Signature(SignatureError::Stale))
            );
        }
        // A signed body with anything changed no longer verifies, where the signature
        // covers the body (HoneyCoin's shared secret does not: its hints are read back).
        let good = webhook(&c, &pay, Signing::Good).expect("a webhook");
        let mut tampered = good.clone();
        let text = String::from_utf8(tampered.1.clone()).expect("utf-8");
        let changed = text.replacen(&c.reference(&pay), "someone_else", 1);
        assert_ne!(text, changed, "the body names the reference");
        tampered.1 = changed.into_bytes();
        if let Ok(hint) = verify(&c, &tampered) {
            assert!(c.id() == lipa_providers::ProviderId::HoneyCoin, "{hint:?}");
            assert_eq!(hint.reported_failure, None);
        }
    });
}

#[test]
fn s7_a_webhook_about_another_payment_never_makes_this_one_succeed() {
    for_every_provider("misdirected webhook", |kit| {
        // Another checkout; the same checkout with another amount; and in another currency.
        for variant in ["reference", "amount", "currency"] {
            let c = kit.case();
            if !c.provider.receives_webhooks() {
                return;
            }
            let mut mine = c.checkout(0);
            c.started(&mut mine);
            let mut other = match variant {
                "reference" => c.checkout(0),
                "amount" => {
                    let mut o = c.another_payment(&mine);
                    o.amount *= 2;
                    o.prepared = None;
                    o
                }
                _ => {
                    let mut o = c.checkout(1);
                    o.checkout_id = mine.checkout_id.clone();
                    o.prepared = None;
                    o
                }
            };
            if c.provider.needs_preparation() && other.prepared.is_none() {
                c.prepare(&mut other);
            }
            c.started(&mut other);
            c.settle(&other, Outcome::Approve);
            let hook = webhook(&c, &other, Signing::Good).expect("a webhook");
            let Ok(hint) = verify(&c, &hook) else {
                continue; // refused outright
            };
            if variant == "reference" {
                assert!(!names(&c, &hint, &mine), "{hint:?} names {mine:?}");
            }
            assert_ne!(hint.payment_id.as_deref(), Some(mine.payment_id.as_str()));
            // Worst case, the edge takes the hint's id for this payment: the confirming read
            // must then say it is not this payment's, or tell this payment's own state.
            for provider_ref in [None, Some(hint.provider_ref.clone())] {
                let mut misled = mine.clone();
                misled.provider_ref = provider_ref;
                if let Ok(Reading::Found(p)) = c.read(&misled) {
                    assert!(
                        !(p.status == PaymentStatus::Succeeded && c.mismatch(&mine, &p).is_none()),
                        "{variant}: another payment's success was applied to this one: {p:?}"
                    );
                }
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// 8. The poll schedule

#[test]
fn s8_the_poll_schedule_keeps_the_guides_minimum_and_ends_after_a_day() {
    for_every_provider("poll schedule", |kit| {
        let c = kit.case();
        let window = c.provider.approval_window_ms();
        assert!(window > 0 && window <= DAY_MS, "{window}");
        for elapsed in (0..=25 * 3_600_000).step_by(1_000) {
            let delay = c.provider.next_poll_delay_ms(elapsed);
            let floor = c.fake.model(|f| f.min_poll_delay_ms(elapsed));
            if elapsed < DAY_MS {
                let d = delay.unwrap_or_else(|| panic!("no poll at {elapsed} ms"));
                assert!(d >= floor && d > 0, "{d} ms at {elapsed} ms, below {floor}");
            } else {
                assert_eq!(delay, None, "still polling at {elapsed} ms");
            }
        }
        // Followed from the start, the polls keep the floor and go on until about a day.
        let (mut at, mut polls) = (0i64, 0);
        while let Some(d) = c.provider.next_poll_delay_ms(at) {
            at += d;
            polls += 1;
            assert!(polls < 100_000);
        }
        assert!(at >= DAY_MS - 3_600_000, "the last poll at {at} ms");
        assert!(polls > 10, "{polls}");
    });
}

// ---------------------------------------------------------------------------------------
// Optional capabilities

#[test]
fn s9_offered_capabilities_work_against_the_fake_and_others_are_refused() {
    for_every_provider("capabilities", |kit| {
        let c = kit.case();
        let mut pay = c.checkout(0);
        c.started(&mut pay);
        approve_and_confirm(&c, &pay);
        let host = c.host();
        let refund = RefundOrder {
            amount: pay.amount / 2,
            currency: pay.market.currency(),
            reason: Some("damaged"),
            reference_id: "rf_conformance_1",
            provider_ref: None,
        };
        let sent = block_on(c.provider.refund(&host, &pay.attempt(), &refund));
        if c.provider.refunds() == Capability::Offered {
            let t = sent.unwrap_or_else(|e| panic!("refund: {e:?}"));
            assert_ne!(t.status, TransferStatus::Failed, "{t:?}");
            let refund = RefundOrder {
                provider_ref: t.provider_ref.as_deref(),
                ..refund
            };
            let status = block_on(c.provider.refund_status(&host, &pay.attempt(), &refund))
                .unwrap_or_else(|e| panic!("refund status: {e:?}"));
            assert_eq!(status.provider_ref, t.provider_ref);
        } else {
            assert!(
                matches!(
                    sent,
                    Err(CallError::Provider(ProviderError::Unsupported(_)))
                ),
                "{sent:?}"
            );
        }

        let recipient = Recipient {
            e164: pay.market.e164,
            country: pay.market.country,
            operator: pay.market.operator,
        };
        let plan = block_on(c.provider.payout_check(&host, &recipient));
        if c.provider.payouts() == Capability::Offered {
            let plan = plan.unwrap_or_else(|e| panic!("payout check: {e:?}"));
            let order = PayoutOrder {
                amount: pay.amount,
                currency: pay.market.currency(),
                reference_id: "po_conformance_1",
                expires_at: "2026-01-02T00:00:00Z",
            };
            let t = block_on(c.provider.payout(&host, &recipient, &plan, &order))
                .unwrap_or_else(|e| panic!("payout: {e:?}"));
            assert_ne!(t.status, TransferStatus::Failed, "{t:?}");
            let status = block_on(c.provider.payout_status(&host, order.reference_id))
                .unwrap_or_else(|e| panic!("payout status: {e:?}"));
            assert!(status.is_some(), "the payout is known by its reference");
            assert_eq!(
                block_on(c.provider.payout_status(&host, "po_never_sent")).map(|s| s.is_none()),
                Ok(true)
            );
        } else {
            assert!(
                matches!(
                    plan,
                    Err(CallError::Provider(ProviderError::Unsupported(_)))
                ),
                "{plan:?}"
            );
        }

        receipt_matches(&c, &pay, "paid");
    });
}

#[test]
fn s9_a_one_time_code_step_is_answered_where_a_provider_asks_for_one() {
    for_every_provider("one-time code", |kit| {
        let c = kit.case();
        let mut pay = c.checkout(0);
        c.started(&mut pay);
        let reference = c.reference(&pay);
        let host = c.host();
        if !c.fake.model(|f| f.require_otp(&reference)) {
            let e = block_on(c.provider.submit_otp(&host, &pay.attempt(), "123456"));
            assert!(
                matches!(e, Err(CallError::Provider(ProviderError::Unsupported(_)))),
                "{e:?}"
            );
            return;
        }
        assert_eq!(
            c.found(&pay).status,
            PaymentStatus::ActionRequired {
                action: NextAction::Otp
            }
        );
        let wrong = block_on(c.provider.submit_otp(&host, &pay.attempt(), "000000"));
        assert!(matches!(wrong, Ok(OtpOutcome::Refused(_))), "{wrong:?}");
        let code = c.fake.model(|f| f.otp());
        let right = block_on(c.provider.submit_otp(&host, &pay.attempt(), code));
        assert_eq!(right, Ok(OtpOutcome::Accepted));
        assert_eq!(c.found(&pay).status, PaymentStatus::Pending);
        approve_and_confirm(&c, &pay);
    });
}
