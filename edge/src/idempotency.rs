//! `Idempotency-Key` on the merchant API's POSTs (every one takes it; required where money
//! moves: refunds and payouts): the first request with a key claims it in D1 and stores its
//! answer; the same key with the same body gets that answer again, with another body a 422,
//! and while the first is still running a 409. Bodies are compared as JSON values
//! ([`digest`]: key order and spacing do not matter). Keys are kept at least [`KEPT_MS`]. The objects behind refunds and payouts keep their own per-key guard as well,
//! so money cannot move twice even if this table were lost.

use lipa_api::{ApiError, ErrorCode};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Env};

use crate::error::EdgeResult;

/// How long a key is guaranteed to be remembered.
pub const KEPT_MS: i64 = 24 * 60 * 60 * 1000;
/// Keys older than this are removed when new ones arrive.
const FORGOTTEN_AFTER_MS: i64 = 2 * KEPT_MS;
/// One claim in this many also removes the forgotten keys.
const SWEEP_ONE_IN: f64 = 64.0;

/// The digest a request body is compared by: SHA-256 of its canonical JSON (object keys
/// sorted, no spacing), so `{"a":1, "b":2}` and `{"b":2,"a":1}` are the same request; a body
/// that is not JSON is digested as it is (it is refused with 400 anyway).
pub fn digest(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(value) => {
            let mut canonical = String::with_capacity(body.len());
            write_canonical(&value, &mut canonical);
            crate::ids::sha256_hex(&canonical)
        }
        Err(_) => crate::ids::sha256_hex(body),
    }
}

/// Writes `value` as compact JSON with every object's keys in sorted order.
fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: run the request, then [`complete`] or [`release`] it.
    Fresh,
    /// The key was used with this body and answered: send the same answer.
    Replay {
        /// The first answer's status.
        status: u16,
        /// The first answer's JSON body.
        body: String,
    },
}

/// The 409 for a key whose first request is still running.
pub fn in_use() -> ApiError {
    ApiError::new(
        ErrorCode::IdempotencyKeyInUse,
        "a request with this Idempotency-Key is still being processed; retry in a moment",
    )
}

/// The decision for a stored key, given this request's digests (pure): its [`digest`], and
/// the digest of its raw bytes, which keys stored before bodies were canonicalized hold.
pub fn decide(
    stored_digest: &str,
    stored_status: Option<u16>,
    stored_body: Option<String>,
    digests: &[&str],
) -> Result<Claim, ApiError> {
    if !digests.contains(&stored_digest) {
        return Err(ApiError::new(
            ErrorCode::IdempotencyConflict,
            "this Idempotency-Key was used with another request body; use a new key for a new request",
        ));
    }
    match (stored_status, stored_body) {
        (Some(status), Some(body)) => Ok(Claim::Replay { status, body }),
        _ => Err(in_use()),
    }
}

fn db(env: &Env) -> worker::Result<D1Database> {
    env.d1(crate::store::BINDING)
}

#[derive(serde::Deserialize)]
struct Row {
    digest: String,
    status: Option<f64>,
    body: Option<String>,
}

/// A request's answer known before anything of it runs (a refusal of its body, or a new
/// checkout's answer, made before its object is), claimed with its key in one write: the
/// claim then needs no [`complete`].
pub struct Known {
    /// The answer's status.
    pub status: u16,
    /// The answer's JSON body.
    pub body: String,
    /// Writes made in the claim's batch, after it: each must hold only if the claim was this
    /// request's, which it checks itself against the key's stored answer (see
    /// [`crate::store::checkout_row_if_claimed`]).
    pub then: Vec<D1PreparedStatement>,
}

/// Claims `key` for `route` with the request's `body`; its answer is stored later
/// ([`complete`]).
pub async fn claim(
    env: &Env,
    route: &str,
    key: &str,
    body: &str,
    now_ms: i64,
) -> EdgeResult<Claim> {
    claim_with(env, route, key, body, now_ms, None).await
}

/// Claims `key` for `route` with the request's `body` and its [`Known`] answer, stored with
/// the claim: one D1 write where [`claim`] and [`complete`] are two.
pub async fn claim_answered(
    env: &Env,
    route: &str,
    key: &str,
    body: &str,
    now_ms: i64,
    known: Known,
) -> EdgeResult<Claim> {
    claim_with(env, route, key, body, now_ms, Some(known)).await
}

async fn claim_with(
    env: &Env,
    route: &str,
    key: &str,
    body: &str,
    now_ms: i64,
    known: Option<Known>,
) -> EdgeResult<Claim> {
    let digest = digest(body);
    let raw_digest = crate::ids::sha256_hex(body);
    let db = db(env)?;
    let (status, answer, then) = match known {
        Some(k) => (
            JsValue::from(f64::from(k.status)),
            JsValue::from(k.body),
            k.then,
        ),
        None => (JsValue::NULL, JsValue::NULL, Vec::new()),
    };
    let insert = db
        .prepare(
            "INSERT INTO idempotency_keys (route, key, digest, created_at_ms, status, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (route, key) DO NOTHING",
        )
        .bind(&[
            route.into(),
            key.into(),
            digest.as_str().into(),
            (now_ms as f64).into(),
            status,
            answer,
        ])?;
    // Forgetting keys past [`FORGOTTEN_AFTER_MS`] rides along with one claim in
    // [`SWEEP_ONE_IN`], in the same batch: D1 is shared by every checkout, and a sweep per
    // claim was a query per checkout that almost always deleted nothing.
    let mut statements = Vec::with_capacity(2 + then.len());
    if crate::ids::random_unit()? * SWEEP_ONE_IN < 1.0 {
        statements.push(
            db.prepare("DELETE FROM idempotency_keys WHERE created_at_ms < ?1")
                .bind(&[((now_ms - FORGOTTEN_AFTER_MS) as f64).into()])?,
        );
    }
    let claim_at = statements.len();
    statements.push(insert);
    statements.extend(then);
    let answers = db.batch(statements).await?;
    let inserted = match answers.get(claim_at) {
        Some(answer) => answer.meta()?.and_then(|m| m.changes).unwrap_or(0),
        None => 0,
    };
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let row = db
        .prepare("SELECT digest, status, body FROM idempotency_keys WHERE route = ?1 AND key = ?2")
        .bind(&[route.into(), key.into()])?
        .first::<Row>(None)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "idempotency key vanished"))?;
    Ok(decide(
        &row.digest,
        row.status.map(|s| s as u16),
        row.body,
        &[&digest, &raw_digest],
    )?)
}

/// Stores the answer a claimed key's request got.
pub async fn complete(
    env: &Env,
    route: &str,
    key: &str,
    status: u16,
    body: &str,
) -> EdgeResult<()> {
    db(env)?
        .prepare("UPDATE idempotency_keys SET status = ?3, body = ?4 WHERE route = ?1 AND key = ?2")
        .bind(&[
            route.into(),
            key.into(),
            f64::from(status).into(),
            body.into(),
        ])?
        .run()
        .await?;
    Ok(())
}

/// Frees a claimed key whose request failed inside Lipa (5xx), so a retry can run.
pub async fn release(env: &Env, route: &str, key: &str) -> EdgeResult<()> {
    db(env)?
        .prepare("DELETE FROM idempotency_keys WHERE route = ?1 AND key = ?2 AND status IS NULL")
        .bind(&[route.into(), key.into()])?
        .run()
        .await?;
    Ok(())
}

/// Frees a key this request claimed with its [`Known`] answer, which did not hold after all
/// (what it answered could not be made), with `undo`, the writes that take back its
/// `then`, in one batch: a retry runs anew.
pub async fn release_answered(
    env: &Env,
    route: &str,
    key: &str,
    mut undo: Vec<D1PreparedStatement>,
) -> EdgeResult<()> {
    let db = db(env)?;
    undo.push(
        db.prepare("DELETE FROM idempotency_keys WHERE route = ?1 AND key = ?2")
            .bind(&[route.into(), key.into()])?,
    );
    db.batch(undo).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_body_replays_other_body_conflicts_unfinished_is_in_use() {
        assert_eq!(
            decide("d", Some(201), Some("{}".into()), &["d"]),
            Ok(Claim::Replay {
                status: 201,
                body: "{}".into()
            })
        );
        assert_eq!(
            decide("d", Some(201), Some("{}".into()), &["e"])
                .unwrap_err()
                .code,
            ErrorCode::IdempotencyConflict
        );
        assert_eq!(
            decide("d", None, None, &["d"]).unwrap_err().code,
            ErrorCode::IdempotencyKeyInUse
        );
        assert!(
            decide("raw", Some(201), Some("{}".into()), &["canonical", "raw"]).is_ok(),
            "a key stored before canonical digests still replays"
        );
    }

    #[test]
    fn bodies_are_compared_as_json_values() {
        let a = digest(
            r#"{"amount":2000,"payment_id":"pay_1","meta":{"b":[1,{"y":1,"x":2}],"a":null}}"#,
        );
        let b = digest(
            "{ \"payment_id\" : \"pay_1\",\n  \"meta\": {\"a\": null, \"b\": [1, {\"x\": 2, \"y\": 1}]},\n  \"amount\": 2000 }",
        );
        assert_eq!(a, b, "key order and spacing do not matter");
        assert_ne!(
            a,
            digest(
                r#"{"amount":2001,"payment_id":"pay_1","meta":{"b":[1,{"y":1,"x":2}],"a":null}}"#
            )
        );
        assert_ne!(
            digest(r#"{"a":[1,2]}"#),
            digest(r#"{"a":[2,1]}"#),
            "array order matters"
        );
        assert_ne!(digest(r#"{"a":"1"}"#), digest(r#"{"a":1}"#));
        assert_eq!(digest("not json"), crate::ids::sha256_hex("not json"));
    }
}
