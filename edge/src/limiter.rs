//! The PromptLimiter Durable Object: one per bucket (`phone:+254…`, `ip:…`), the single
//! writer of that bucket's [`Window`].
// The `durable_object` macro generates undocumented glue for the runtime.
#![allow(missing_docs)]

use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, State};

use crate::executor::now_ms;
use crate::limits::Window;
use crate::stored;

/// The binding's name.
pub const BINDING: &str = "LIMITER";

/// Asks the bucket for one prompt.
#[derive(Debug, Serialize, Deserialize)]
pub struct Take {
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

/// One bucket of prompts.
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
        let mut window = stored::load::<Window>(&storage, "window")
            .await?
            .unwrap_or_default();
        let result = window.take(now_ms(), take.limit, take.window_ms);
        stored::save(&storage, "window", &window).await?;
        Response::from_json(&Taken {
            allowed: result.is_ok(),
            retry_at_ms: result.err(),
        })
    }
}

/// Takes one prompt from bucket `name` in the limiter namespace; `Err(retry_at_ms)` when full.
pub async fn take(
    env: &Env,
    name: &str,
    limit: u32,
    window_ms: i64,
) -> worker::Result<Result<(), i64>> {
    let stub = env
        .durable_object(BINDING)?
        .id_from_name(name)?
        .get_stub()?;
    let mut init = worker::RequestInit::new();
    init.with_method(worker::Method::Post).with_body(Some(
        serde_json::to_string(&Take { limit, window_ms })?.into(),
    ));
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
