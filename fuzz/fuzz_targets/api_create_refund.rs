//! Fuzz target: CreateRefund::from_json (POST /v1/refunds) (body in `lipa_fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lipa_fuzzing::run("api_create_refund", data));
