//! The Durable Object's entry points; the work is in `checkout/mod.rs`.
// The `durable_object` macro generates undocumented glue for the runtime.
#![allow(missing_docs)]

use worker::{
    durable_object, DurableObject, Env, Request, Response, State, WebSocket,
    WebSocketIncomingMessage,
};

use super::log;

/// One checkout's Durable Object.
#[durable_object]
pub struct CheckoutObject {
    pub(super) state: State,
    pub(super) env: Env,
    /// When a customer's "I've approved" last made the object ask the provider, Unix ms.
    pub(super) last_check_ms: std::cell::Cell<i64>,
    /// Whether a customer's check is reading from the provider now.
    pub(super) checking: std::cell::Cell<bool>,
    /// The preparation with the providers in flight now, if any: a read and the alarm
    /// that find the checkout unprepared at the same moment await this one run.
    pub(super) preparing: std::cell::RefCell<Option<super::preparing::Run>>,
    /// The payment being sent now, held in memory (see `PayHold`): a Pay from its validation
    /// until it is stored or refused, a resend until its answer is saved.
    pub(super) paying: std::cell::RefCell<Option<super::record::PaymentRecord>>,
    /// The stored record as this object last read or wrote it (see `CheckoutObject::load`).
    pub(super) record: std::cell::RefCell<Option<super::record::CheckoutRecord>>,
}

impl DurableObject for CheckoutObject {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            last_check_ms: std::cell::Cell::new(0),
            checking: std::cell::Cell::new(false),
            preparing: std::cell::RefCell::new(None),
            paying: std::cell::RefCell::new(None),
            record: std::cell::RefCell::new(None),
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
            log("alarm_failed", &e.to_string());
        }
        Response::empty()
    }

    /// The live channel only speaks to the widget; what it says back is ignored.
    async fn websocket_message(
        &self,
        _ws: WebSocket,
        _message: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> worker::Result<()> {
        // Completes the closing handshake; an already closed socket has nothing to answer.
        let _ = ws.close(Some(1000), Some("closed"));
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, e: worker::Error) -> worker::Result<()> {
        log("live_error", &e.to_string());
        Ok(())
    }
}
