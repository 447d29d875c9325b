//! Fuzz target: StartPayment::from_json and the phone it carries, in every country (body in `lipa_fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lipa_fuzzing::run("api_start_payment", data));
