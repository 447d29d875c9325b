//! The live line to the checkout ([`lipa_api::live`]), through gloo-net's `websocket`: the edge
//! sends the latest payment on connect and after every change, and the widget's wait between
//! reads ([`wait`]) ends at once with the news. When the line is down (blocked, failed) the
//! widget polls on its own cadence, and the line is tried again with backoff.

use std::cell::RefCell;
use std::future::poll_fn;
use std::pin::Pin;

use futures_core::Stream;
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::Message;
use lipa_api::live;
use lipa_api::PaymentView;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::Session;

/// The first pause before the line is tried again; it doubles up to [`MAX_RETRY_MS`].
const FIRST_RETRY_MS: i32 = 1_000;
/// The longest pause between tries.
const MAX_RETRY_MS: i32 = 30_000;
/// How long a wait lasts at least while the line is up: the edge speaks first.
const WAIT_WHILE_UP_MS: i32 = 15_000;

/// The line's state, shared by the reading task and the waits.
#[derive(Default)]
struct Line {
    /// The line has delivered on its current connection.
    up: bool,
    /// The latest payment announced and not yet handed to a wait (parsed JSON).
    news: Option<JsValue>,
    /// The wait in progress: its number and the `resolve` of its promise.
    waiting: Option<(u32, js_sys::Function)>,
    /// The number of the latest wait.
    waits: u32,
}

thread_local! {
    static LINE: RefCell<Line> = RefCell::new(Line::default());
}

/// Opens the line for the session's checkout and keeps it open for the page's life.
pub fn connect(session: &Session) {
    let Some(url) = url(session) else {
        return;
    };
    // Both subprotocols as a JS array, given to gloo-net's socket with the browser's socket
    // it wraps: `WebSocket::open_with_protocols` would serialize them with serde_json (and
    // format its error), 1 KB gzip for two strings.
    let protocols = js_sys::Array::of2(
        &live::PROTOCOL.into(),
        &live::secret_protocol(&session.client_secret).into(),
    );
    leptos::task::spawn_local(async move {
        let mut retry_ms = FIRST_RETRY_MS;
        loop {
            let socket = web_sys::WebSocket::new_with_str_sequence(&url, &protocols)
                .map_err(drop)
                .and_then(|socket| WebSocket::try_from(socket).map_err(drop));
            if let Ok(mut socket) = socket {
                while let Some(Ok(message)) =
                    poll_fn(|cx| Pin::new(&mut socket).poll_next(cx)).await
                {
                    if let Message::Text(text) = message {
                        retry_ms = FIRST_RETRY_MS;
                        if let Ok(payment) = js_sys::JSON::parse(&text) {
                            announce(payment);
                        }
                    }
                }
            }
            LINE.with(|line| line.borrow_mut().up = false);
            sleep(retry_ms).await;
            retry_ms = (retry_ms * 2).min(MAX_RETRY_MS);
        }
    });
}

/// `ws(s)://{host}/api/checkouts/{id}/live`, from the page's own location.
fn url(session: &Session) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = match location.protocol().ok()?.as_str() {
        "https:" => "wss",
        _ => "ws",
    };
    let host = location.host().ok()?;
    Some(crate::api::cat(&[
        scheme,
        "://",
        &host,
        &live::path(&session.checkout_id),
    ]))
}

/// Hands news to the wait in progress, or keeps it for the next one.
fn announce(payment: JsValue) {
    let waiting = LINE.with(|line| {
        let mut line = line.borrow_mut();
        line.up = true;
        match line.waiting.take() {
            Some((_, resolve)) => Some((resolve, payment)),
            None => {
                line.news = Some(payment);
                None
            }
        }
    });
    if let Some((resolve, payment)) = waiting {
        let _ = resolve.call1(&JsValue::UNDEFINED, &payment);
    }
}

/// Waits `ms` at most (at least [`WAIT_WHILE_UP_MS`] while the line is up), over as soon as
/// the line announces a payment: returns it, or `None` when the time ran out.
pub async fn wait(ms: i32) -> Option<PaymentView> {
    if let Some(news) = LINE.with(|line| line.borrow_mut().news.take()) {
        return crate::de::from_js(news);
    }
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let (number, ms) = LINE.with(|line| {
            let mut line = line.borrow_mut();
            line.waits = line.waits.wrapping_add(1);
            line.waiting = Some((line.waits, resolve.clone()));
            (
                line.waits,
                if line.up {
                    ms.max(WAIT_WHILE_UP_MS)
                } else {
                    ms
                },
            )
        });
        // When the time runs out the wait stops waiting, so that news goes to the next one.
        let timeout = Closure::once_into_js(move || {
            LINE.with(|line| {
                let mut line = line.borrow_mut();
                if line.waiting.as_ref().is_some_and(|(n, _)| *n == number) {
                    line.waiting = None;
                }
            });
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        set_timeout(timeout.unchecked_ref(), ms);
    });
    let news = JsFuture::from(promise).await.ok()?;
    crate::de::from_js(news)
}

/// Calls `f` (with no argument) after `ms`.
pub(crate) fn set_timeout(f: &js_sys::Function, ms: i32) {
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(f, ms);
    }
}

/// Sleeps `ms`.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| set_timeout(&resolve, ms));
    let _ = JsFuture::from(promise).await;
}
