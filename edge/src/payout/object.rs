//! The Payout Durable Object's entry points; the work is in `payout/mod.rs`.
// The `durable_object` macro generates undocumented glue for the runtime.
#![allow(missing_docs)]

use std::cell::Cell;

use worker::{durable_object, DurableObject, Env, Request, Response, State};

use crate::checkout::log;

/// One payout's Durable Object, named by the merchant's `Idempotency-Key`.
#[durable_object]
pub struct PayoutObject {
    pub(super) state: State,
    pub(super) env: Env,
    /// A create is between its first read and its stored record (the wallet check is a
    /// provider call, during which a second request with the same key could run).
    pub(super) creating: Cell<bool>,
}

impl DurableObject for PayoutObject {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            creating: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        match self.dispatch(&mut req).await {
            Ok(resp) => Ok(resp),
            Err(e) => e.into_response(),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        if let Err(e) = self.wake().await {
            log("payout_alarm_failed", &e.to_string());
        }
        Response::empty()
    }
}
