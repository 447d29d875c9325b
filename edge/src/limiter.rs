//! The PromptLimiter Durable Object: the single writer of the [`Window`]s of the buckets
//! (`phone:+254…`, `ip:…`) that fall in its shard.
//!
//! A bucket always falls in the same one of [`SHARDS`] objects (by its SHA-256), so each limit
//! stays global. One object per bucket would create a new object, and its SQLite database,
//! for every number that ever pays: `cargo xtask profile` put SQLite at 1.30 ms of a Pay
//! against 0.19 ms of a webhook that commits once, most of it the new database. The shards are
//! made once and kept warm by everyone's traffic; at [`SHARDS`] of them, a Durable Object's
//! ~1,000 requests/s each leaves room for far more Pays than a busiest day brings.
// The `durable_object` macro generates undocumented glue for the runtime.
#![allow(missing_docs)]

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use worker::{durable_object, DurableObject, Env, Request, Response, State};

use crate::executor::now_ms;
use crate::limits::Window;
use crate::stored;

/// The binding's name.
pub const BINDING: &str = "LIMITER";

/// How many PromptLimiter objects the buckets are spread over. Changing it moves buckets to
/// other objects, which forgets their recent prompts once (a window's worth of limit).
pub const SHARDS: u32 = 64;

/// Asks a bucket for one prompt.
#[derive(Debug, Serialize, Deserialize)]
pub struct Take {
    /// The bucket (`phone:+254…`, `ip:…`): the key of its window in the shard's storage.
    pub bucket: String,
    /// Prompts allowed per window.
    pub limit: u32,
    /// The window, ms.
    pub window_ms: i64,
}

/// The answer: allowed, or allowed again at a time.
#[derive(Debug, Serialize, Deserialize)]
pub struct Taken {
    /// Whether the prompt may go out.
    pub allowed: bool,
    /// When the bucket has room again (Unix ms), if it is full.
    pub retry_at_ms: Option<i64>,
}

/// One shard of buckets of prompts.
#[durable_object]
pub struct PromptLimiter {
    state: State,
}

impl DurableObject for PromptLimiter {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let take: Take = req.json().await?;
        let storage = self.state.storage();
        let key = format!("window:{}", take.bucket);
        let mut window = stored::load::<Window>(&storage, &key)
            .await?
            .unwrap_or_default();
        let result = window.take(now_ms(), take.limit, take.window_ms);
        stored::save(&storage, &key, &window).await?;
        Response::from_json(&Taken {
            allowed: result.is_ok(),
            retry_at_ms: result.err(),
        })
    }
}

/// The name of the object that keeps `bucket`'s window: the same for a bucket on every call.
pub fn shard_of(bucket: &str) -> String {
    let digest = Sha256::digest(bucket.as_bytes());
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % SHARDS;
    format!("shard:{n}")
}

/// Takes one prompt from `bucket`; `Err(retry_at_ms)` when full.
pub async fn take(
    env: &Env,
    bucket: &str,
    limit: u32,
    window_ms: i64,
) -> worker::Result<Result<(), i64>> {
    let stub = env
        .durable_object(BINDING)?
        .id_from_name(&shard_of(bucket))?
        .get_stub()?;
    let take = Take {
        bucket: bucket.to_string(),
        limit,
        window_ms,
    };
    let mut init = worker::RequestInit::new();
    init.with_method(worker::Method::Post)
        .with_body(Some(serde_json::to_string(&take)?.into()));
    let mut resp = stub
        .fetch_with_request(Request::new_with_init("https://limiter/take", &init)?)
        .await?;
    let taken: Taken = resp.json().await?;
    Ok(if taken.allowed {
        Ok(())
    } else {
        Err(taken.retry_at_ms.unwrap_or_else(now_ms))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_falls_in_the_shard_its_digest_names() {
        // Pinned: a different mapping would move every bucket and forget its window once.
        assert_eq!(shard_of("phone:+254714000077"), "shard:44");
    }

    #[test]
    fn buckets_spread_over_every_shard() {
        let used: std::collections::BTreeSet<String> = (0..2_000)
            .map(|i| shard_of(&format!("phone:+2547140{i:05}")))
            .collect();
        assert_eq!(used.len(), SHARDS as usize);
        assert!(used.iter().all(|s| s.starts_with("shard:")));
    }
}
