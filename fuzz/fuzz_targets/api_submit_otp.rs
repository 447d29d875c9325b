//! Fuzz target: SubmitOtp::from_json (body in `lipa_fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lipa_fuzzing::run("api_submit_otp", data));
