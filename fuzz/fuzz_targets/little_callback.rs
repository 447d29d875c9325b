//! Fuzz target: little::verify_callback with a verifier that accepts or refuses (body in `lipa_fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lipa_fuzzing::run("little_callback", data));
