//! Fuzz target: xtopay::verify_callback, signed with the test secret or not (body in `lipa_fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lipa_fuzzing::run("xtopay_callback", data));
