//! Fuzz target: Little's JSON.stringify(JSON.parse(text)) reproduction (body in `lipa_fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lipa_fuzzing::run("little_js_json", data));
