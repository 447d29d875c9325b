//! Fuzz target: honeycoin::verify_webhook, with and without the shared secret (body in `lipa_fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lipa_fuzzing::run("honeycoin_webhook", data));
