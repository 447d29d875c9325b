//! Fuzz target: every HoneyCoin answer parser over one response (body in `lipa_fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lipa_fuzzing::run("honeycoin_responses", data));
