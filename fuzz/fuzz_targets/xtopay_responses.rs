//! Fuzz target: every Xtopay answer parser over one response (body in `lipa_fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lipa_fuzzing::run("xtopay_responses", data));
