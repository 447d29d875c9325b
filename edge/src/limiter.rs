//! The PromptLimiter Durable Object: the single writer of the [`Window`]s of the buckets
//! (`phone:+254…`, `code:phone:+254…`) that fall in its shard. The per-client-address limits
//! are not kept here: they are Cloudflare's rate-limiting bindings ([`crate::ip_limit`]).
//!
//! A bucket always falls in the same one of [`SHARDS`] objects (by its SHA-256), so each limit
//! stays global. One object per bucket made a new object, with its own database, for every
//! number that ever paid, and kept it forever; the shards are a fixed set. (Not a CPU gain:
//! `cargo xtask profile` reads SQLite at 1.27 ms of a Pay with the shards, 1.30 without: what
//! it costs is the Pay's commits, not new databases.) A Pay asks one bucket (its number's), so
//! at a Durable Object's ~1,000 requests/s the shards allow ~64,000 Pays/s.
//!
//! A shard keeps a bucket under its digest (`window:<hex SHA-256>`: no number is stored)
//! while the window can still refuse, and up to [`SWEEP_EVERY_MS`] after: its alarm sweeps the
//! windows whose every prompt has left them ([`Kept::forget_at_ms`]) at most once every
//! [`SWEEP_EVERY_MS`] (a sweep timed to each window's end woke a shard for about every prompt
//! it had taken).
// The `durable_object` macro generates undocumented glue for the runtime.
#![allow(missing_docs)]

use std::cell::{Cell, RefCell};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wasm_bindgen::JsValue;
use worker::{durable_object, DurableObject, Env, ListOptions, Request, Response, State};

use crate::executor::now_ms;
use crate::limits::Window;
use crate::stored;

/// The binding's name.
pub const BINDING: &str = "LIMITER";

/// How many PromptLimiter objects the buckets are spread over. Changing it moves buckets to
/// other objects, which forgets their recent prompts once (a window's worth of limit).
pub const SHARDS: u32 = 64;

/// The prefix of a kept window's key.
const WINDOW_PREFIX: &str = "window:";

/// How many kept windows one sweep reads; a shard with more is swept in turns a second apart.
const SWEEP_BATCH: usize = 1_000;

/// The least time between two sweeps of a shard: a window that can be forgotten waits for the
/// next one, so a shard wakes at most this often however many buckets it holds.
const SWEEP_EVERY_MS: i64 = 60 * 60 * 1000;

/// Asks a bucket for one prompt: `POST https://limiter/take?key=…&limit=…&window_ms=…`, with no
/// body either way (a hop's request and answer bodies are streams and JSON on both sides, for
/// three numbers and a yes or no).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Take {
    /// The bucket's key in its shard (see [`Bucket`]).
    key: String,
    /// Prompts allowed per window.
    limit: u32,
    /// The window, ms.
    window_ms: i64,
}

/// The answer's header saying when a full bucket has room again (Unix ms): the answer is 204
/// when the prompt may go out, 429 with this header when not.
const RETRY_AT_HEADER: &str = "Retry-At-Ms";

impl Take {
    /// The request's URL.
    fn url(&self) -> String {
        format!(
            "https://limiter/take?key={}&limit={}&window_ms={}",
            self.key, self.limit, self.window_ms
        )
    }

    /// Read back from the request's URL; `None` when it is not one [`Take::url`] made.
    fn from_url(url: &worker::Url) -> Option<Take> {
        let (mut key, mut limit, mut window_ms) = (None, None, None);
        for (name, value) in url.query_pairs() {
            match name.as_ref() {
                "key" => key = Some(value.into_owned()),
                "limit" => limit = value.parse().ok(),
                "window_ms" => window_ms = value.parse().ok(),
                _ => return None,
            }
        }
        Some(Take {
            key: key?,
            limit: limit?,
            window_ms: window_ms?,
        })
    }
}

/// A bucket's window as its shard keeps it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept {
    /// The prompts in the window.
    window: Window,
    /// When every prompt will have left the window (the last take plus the window): from
    /// then on the window refuses nothing and the sweep forgets it.
    forget_at_ms: i64,
}

/// One shard of buckets of prompts.
#[durable_object]
pub struct PromptLimiter {
    state: State,
    /// Whether this instance knows a sweep is scheduled (asked once per instance).
    sweep_scheduled: Cell<bool>,
    /// Where the next sweep goes on reading, when the last one stopped at [`SWEEP_BATCH`].
    sweep_from: RefCell<Option<String>>,
    /// The earliest end among the windows kept by the batches already read in this pass.
    sweep_next: Cell<Option<i64>>,
}

impl DurableObject for PromptLimiter {
    fn new(state: State, _env: Env) -> Self {
        Self {
            state,
            sweep_scheduled: Cell::new(false),
            sweep_from: RefCell::new(None),
            sweep_next: Cell::new(None),
        }
    }

    /// Read, decide, write with nothing but storage awaited between (storage keeps the
    /// object's input gate shut, so two takes at once on a shard are counted one after the
    /// other).
    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        let Some(take) = Take::from_url(&req.url()?) else {
            return Response::error("not a take", 400);
        };
        let storage = self.state.storage();
        let key = format!("{WINDOW_PREFIX}{}", take.key);
        let mut kept = stored::load::<Kept>(&storage, &key)
            .await?
            .unwrap_or_default();
        let now = now_ms();
        let result = kept.window.take(now, take.limit, take.window_ms);
        kept.forget_at_ms = kept.forget_at_ms.max(now + take.window_ms);
        stored::save(&storage, &key, &kept).await?;
        if !self.sweep_scheduled.get() {
            if storage.get_alarm().await?.is_none() {
                storage
                    .set_alarm(take.window_ms.max(SWEEP_EVERY_MS))
                    .await?;
            }
            self.sweep_scheduled.set(true);
        }
        match result {
            Ok(()) => Ok(Response::empty()?.with_status(204)),
            Err(retry_at_ms) => {
                let headers = worker::Headers::new();
                headers.set(RETRY_AT_HEADER, &retry_at_ms.to_string())?;
                Ok(Response::empty()?.with_status(429).with_headers(headers))
            }
        }
    }

    /// The sweep: forgets the windows that can no longer refuse anything, up to
    /// [`SWEEP_BATCH`] of them read at a time, and comes back when the next one can be
    /// forgotten but not within [`SWEEP_EVERY_MS`] (or, with more to read, a second later).
    async fn alarm(&self) -> worker::Result<Response> {
        let storage = self.state.storage();
        let from = self.sweep_from.borrow_mut().take();
        if from.is_none() {
            // A new pass.
            self.sweep_next.set(None);
        }
        let mut options = ListOptions::new().prefix(WINDOW_PREFIX).limit(SWEEP_BATCH);
        if let Some(from) = from.as_deref() {
            options = options.start(from);
        }
        let listed = storage.list_with_options(options).await?;
        let mut kept = Vec::new();
        for entry in listed.entries() {
            let pair = js_sys::Array::from(&entry?);
            if let Some(key) = pair.get(0).as_string() {
                // One that cannot be read is forgotten: a take would fail on it.
                kept.push((key, kept_from(&pair.get(1)).map_or(0, |k| k.forget_at_ms)));
            }
        }
        let now = now_ms();
        let last = kept.last().map(|(key, _)| key.clone());
        let Sweep { forgotten, next } = sweep(kept, now);
        if !forgotten.is_empty() {
            storage.delete_multiple(forgotten).await?;
        }
        // The pass's earliest end so far: a later batch must not forget an earlier one's.
        let next = earliest(self.sweep_next.get(), next);
        if listed.size() as usize >= SWEEP_BATCH {
            // More to read: on from just after the last key read.
            *self.sweep_from.borrow_mut() = last.map(|k| format!("{k}\u{0}"));
            self.sweep_next.set(next);
            storage.set_alarm(1_000).await?;
        } else if let Some(at) = next {
            storage.set_alarm((at - now).max(0)).await?;
        } else {
            self.sweep_scheduled.set(false);
        }
        Response::empty()
    }
}

/// What one sweep does with the windows it read.
#[derive(Debug, PartialEq, Eq)]
struct Sweep {
    /// The keys of the windows to forget: every prompt in them has left.
    forgotten: Vec<String>,
    /// When the next sweep runs: once the next of the others can be forgotten, and not within
    /// [`SWEEP_EVERY_MS`] of this one; `None` when nothing is left.
    next: Option<i64>,
}

/// The earlier of two optional times.
fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Sorts `(key, forget_at_ms)` pairs at `now`.
fn sweep(kept: Vec<(String, i64)>, now: i64) -> Sweep {
    let mut forgotten = Vec::new();
    let mut next: Option<i64> = None;
    for (key, forget_at) in kept {
        if forget_at <= now {
            forgotten.push(key);
        } else {
            next = Some(next.map_or(forget_at, |n| n.min(forget_at)));
        }
    }
    Sweep {
        forgotten,
        next: next.map(|at| at.max(now + SWEEP_EVERY_MS)),
    }
}

/// A kept window read from the JSON text [`stored::save`] wrote; `None` when it is not one.
fn kept_from(value: &JsValue) -> Option<Kept> {
    serde_json::from_str(&value.as_string()?).ok()
}

/// A bucket as the limiter knows it: its name digested, which picks its shard and keys its
/// window there, so the number it is named by is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// The shard object's name (`shard:<n>`).
    pub shard: String,
    /// The window's key in the shard: the name's SHA-256, in hex.
    pub key: String,
}

impl Bucket {
    /// The bucket named `name` (`phone:+254…`): the same on every call.
    pub fn named(name: &str) -> Bucket {
        let digest = Sha256::digest(name.as_bytes());
        let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % SHARDS;
        Bucket {
            shard: format!("shard:{n}"),
            key: hex::encode(digest),
        }
    }
}

/// Takes one prompt from the bucket named `name`; `Err(retry_at_ms)` when full.
pub async fn take(
    env: &Env,
    name: &str,
    limit: u32,
    window_ms: i64,
) -> worker::Result<Result<(), i64>> {
    let bucket = Bucket::named(name);
    let stub = env
        .durable_object(BINDING)?
        .id_from_name(&bucket.shard)?
        .get_stub()?;
    let take = Take {
        key: bucket.key,
        limit,
        window_ms,
    };
    let resp = stub
        .fetch_with_request(Request::new(&take.url(), worker::Method::Post)?)
        .await?;
    match resp.status_code() {
        204 => Ok(Ok(())),
        429 => Ok(Err(resp
            .headers()
            .get(RETRY_AT_HEADER)?
            .and_then(|at| at.parse().ok())
            .unwrap_or_else(now_ms))),
        status => Err(worker::Error::RustError(format!(
            "the prompt limiter answered {status}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_falls_in_the_shard_its_digest_names() {
        // Pinned: a different mapping would move every bucket and forget its window once.
        let bucket = Bucket::named("phone:+254714000077");
        assert_eq!(bucket.shard, "shard:44");
        assert_eq!(bucket.key.len(), 64);
        assert!(!bucket.key.contains("254714000077"), "no number is stored");
    }

    #[test]
    fn buckets_spread_over_every_shard() {
        let used: std::collections::BTreeSet<String> = (0..2_000)
            .map(|i| Bucket::named(&format!("phone:+2547140{i:05}")).shard)
            .collect();
        assert_eq!(used.len(), SHARDS as usize);
    }

    #[test]
    fn a_take_reads_back_from_its_url_and_nothing_else_does() {
        let take = Take {
            key: Bucket::named("phone:+254714000077").key,
            limit: 5,
            window_ms: 600_000,
        };
        let url = worker::Url::parse(&take.url()).expect("a URL");
        assert_eq!(Take::from_url(&url), Some(take));
        for other in [
            "https://limiter/take?key=a&limit=5",
            "https://limiter/take?key=a&limit=x&window_ms=1",
            "https://limiter/take?key=a&limit=5&window_ms=1&extra=1",
        ] {
            let url = worker::Url::parse(other).expect("a URL");
            assert_eq!(Take::from_url(&url), None, "{other}");
        }
    }

    #[test]
    fn a_sweep_forgets_only_windows_every_prompt_has_left() {
        let kept = vec![
            ("window:a".to_string(), 1_000),
            ("window:b".to_string(), 5_000),
            ("window:c".to_string(), 2_000),
            ("window:d".to_string(), 3_000),
        ];
        assert_eq!(
            sweep(kept, 2_000),
            Sweep {
                forgotten: vec!["window:a".to_string(), "window:c".to_string()],
                next: Some(2_000 + SWEEP_EVERY_MS),
            }
        );
        // A window that ends after the cadence is swept at its end.
        let later = 2_000 + SWEEP_EVERY_MS + 5;
        assert_eq!(
            sweep(vec![("window:e".to_string(), later)], 2_000).next,
            Some(later)
        );
        assert_eq!(
            sweep(vec![], 2_000),
            Sweep {
                forgotten: vec![],
                next: None
            }
        );
    }

    #[test]
    fn a_pass_keeps_the_earliest_next_sweep_of_all_its_batches() {
        assert_eq!(earliest(Some(5), Some(3)), Some(3));
        assert_eq!(earliest(Some(5), None), Some(5));
        assert_eq!(earliest(None, Some(3)), Some(3));
        assert_eq!(earliest(None, None), None);
    }

    #[test]
    fn a_kept_window_reads_back_from_its_stored_text() {
        let mut kept = Kept::default();
        assert_eq!(kept.window.take(1_000, 1, 60_000), Ok(()));
        kept.forget_at_ms = 61_000;
        let text = serde_json::to_string(&kept).expect("serializes");
        let back: Kept = serde_json::from_str(&text).expect("parses");
        assert_eq!(back.forget_at_ms, 61_000);
        assert_eq!(back.window, kept.window);
    }
}
