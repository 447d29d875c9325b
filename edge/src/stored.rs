//! A Durable Object's record, kept in its storage as one JSON text.
//!
//! `worker`'s `Storage::get`/`put` turn a record into a JavaScript object and back through
//! `serde_wasm_bindgen`, one property read or write across the wasm boundary per field. For a
//! checkout with its payments, preparations and outbox that was the largest part of the edge's
//! CPU on every request (`cargo xtask profile`: the record's load was the top inclusive
//! function of the alarm, with `Reflect.get` the top self-time frame). A JSON text crosses the
//! boundary once, and serde_json reads it inside the wasm.
//!
//! Records written before as objects are still read (and written back as text on their next
//! save), so a deploy does not strand live checkouts or payouts.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use worker::Storage;

/// The record under `key`, `None` when nothing is stored there.
pub async fn load<T: DeserializeOwned>(storage: &Storage, key: &str) -> worker::Result<Option<T>> {
    let found = storage.get_multiple(vec![key]).await?;
    let value = found.get(&JsValue::from_str(key));
    if value.is_undefined() {
        return Ok(None);
    }
    match value.as_string() {
        Some(text) => Ok(Some(serde_json::from_str(&text)?)),
        // Written by an earlier version, as a JavaScript object.
        None => Ok(Some(
            serde_wasm_bindgen::from_value(value)
                .map_err(|e| worker::Error::from(e.to_string()))?,
        )),
    }
}

/// Stores `record` under `key` as JSON text.
pub async fn save<T: Serialize>(storage: &Storage, key: &str, record: &T) -> worker::Result<()> {
    let text = serde_json::to_string(record)?;
    storage.put_raw(key, JsValue::from_str(&text)).await
}
