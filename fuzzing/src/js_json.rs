//! Little's `JSON.stringify(JSON.parse(text))` reproduction
//! ([`lipa_providers::little::restringify`]), over any UTF-8 text (a callback body that is
//! not UTF-8 is refused before it is reached).
//!
//! Properties: what it prints is JSON (serde_json reads it) and is already in
//! `JSON.stringify`'s form (printing it again changes nothing).

use lipa_providers::little::restringify;

/// The target's body.
pub fn little_js_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(out) = restringify(text) else {
        return;
    };
    let parsed = serde_json::from_str::<serde_json::Value>(&out);
    assert!(
        parsed.is_ok(),
        "not JSON: {out:?} ({parsed:?}) from {text:?}"
    );
    assert_eq!(
        restringify(&out).as_deref(),
        Ok(out.as_str()),
        "JSON.stringify's output must print as itself (from {text:?})"
    );
}
