//! Fuzz target: every Dollr answer parser over one response (body in `lipa_fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lipa_fuzzing::run("dollr_responses", data));
