//! The bodies of Lipa's fuzz targets, as plain functions of the fuzzer's bytes.
//!
//! Each target under `fuzz/fuzz_targets/` is one line calling a function here, so the same
//! code runs in two places: under libFuzzer on nightly (`cargo xtask fuzz`), and on stable in
//! `cargo test`, where `tests/corpus.rs` replays every file of the committed corpus
//! (`fuzz/corpus/<target>/`) and every [`seeds`] entry through it.
//!
//! A body returns normally for any input: refusing bad input is the code under test's job.
//! It panics only where the code under test panics or a property it promises does not hold
//! (a verified webhook re-verifies, `JSON.stringify`'s output is JSON, a validated request
//! keeps its invariants); libFuzzer reports the panic as a crash.
//!
//! Inputs that carry more than a body are read as a small HTTP message ([`input`]): a few
//! control bytes, header lines, a blank line, the body. The seeds are written in that form.

pub mod input;
pub mod js_json;
pub mod requests;
pub mod responses;
pub mod seeds;
pub mod webhooks;

mod check;

/// One fuzz target: its name is its file under `fuzz/fuzz_targets/` (without `.rs`) and its
/// corpus folder under `fuzz/corpus/`.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// What it checks, for people.
    pub about: &'static str,
    /// The body.
    pub run: fn(&[u8]),
}

/// Every fuzz target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "crisscross_webhook",
        about: "crisscross::verify_webhook, signed with the test secret or not",
        run: webhooks::crisscross_webhook,
    },
    Target {
        name: "honeycoin_webhook",
        about: "honeycoin::verify_webhook, with and without the shared secret",
        run: webhooks::honeycoin_webhook,
    },
    Target {
        name: "xtopay_callback",
        about: "xtopay::verify_callback, signed with the test secret or not",
        run: webhooks::xtopay_callback,
    },
    Target {
        name: "little_callback",
        about: "little::verify_callback with a verifier that accepts or refuses",
        run: webhooks::little_callback,
    },
    Target {
        name: "crisscross_responses",
        about: "every CrissCross answer parser over one response",
        run: responses::crisscross_responses,
    },
    Target {
        name: "honeycoin_responses",
        about: "every HoneyCoin answer parser over one response",
        run: responses::honeycoin_responses,
    },
    Target {
        name: "xtopay_responses",
        about: "every Xtopay answer parser over one response",
        run: responses::xtopay_responses,
    },
    Target {
        name: "little_responses",
        about: "every Little Pay answer parser over one response",
        run: responses::little_responses,
    },
    Target {
        name: "dollr_responses",
        about: "every Dollr answer parser over one response",
        run: responses::dollr_responses,
    },
    Target {
        name: "little_js_json",
        about: "Little's JSON.stringify(JSON.parse(text)) reproduction",
        run: js_json::little_js_json,
    },
    Target {
        name: "api_create_checkout",
        about: "CreateCheckout::from_json (POST /v1/checkouts)",
        run: requests::create_checkout,
    },
    Target {
        name: "api_start_payment",
        about: "StartPayment::from_json and the phone it carries, in every country",
        run: requests::start_payment,
    },
    Target {
        name: "api_submit_otp",
        about: "SubmitOtp::from_json",
        run: requests::submit_otp,
    },
    Target {
        name: "api_create_refund",
        about: "CreateRefund::from_json (POST /v1/refunds)",
        run: requests::create_refund,
    },
    Target {
        name: "api_create_payout",
        about: "CreatePayout::from_json (POST /v1/payouts)",
        run: requests::create_payout,
    },
];

/// The target named `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Runs the target named `name` on `data`: what each file under `fuzz/fuzz_targets/` does.
/// An unknown name fails at once, so a misnamed target cannot fuzz nothing.
pub fn run(name: &str, data: &[u8]) {
    let target = target(name);
    assert!(target.is_some(), "no fuzz target is named {name:?}");
    if let Some(target) = target {
        (target.run)(data);
    }
}
