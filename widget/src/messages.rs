//! Messages to the loader on the merchant page (`lipa_api::message`).

use lipa_api::message::{WidgetEvent, WidgetMessage, MESSAGE_SOURCE};
use lipa_api::{PaymentStatus, PaymentView};

use crate::api::Session;

/// The widget is interactive.
pub fn ready() -> WidgetEvent {
    WidgetEvent::Ready
}

/// The payment succeeded; `replayed` when the checkout was already paid as the widget opened.
pub fn success(p: &PaymentView, replayed: bool) -> WidgetEvent {
    WidgetEvent::Success {
        payment_id: p.id.clone(),
        replayed,
    }
}

/// The payment failed.
pub fn failure(p: &PaymentView) -> WidgetEvent {
    let reason = match &p.status {
        PaymentStatus::Failed { reason, .. } => reason.code().to_string(),
        other => other.name().to_string(),
    };
    WidgetEvent::Failure {
        payment_id: p.id.clone(),
        reason,
    }
}

/// The customer closed the widget.
pub fn close() -> WidgetEvent {
    WidgetEvent::Close
}

/// The widget cannot show the checkout: `code` is the edge's error code.
pub fn error(code: &str) -> WidgetEvent {
    WidgetEvent::Error {
        code: code.to_string(),
    }
}

/// Posts `event` to the parent page, only to the origin the loader named.
pub fn post(session: &Session, event: WidgetEvent) {
    let message = WidgetMessage {
        source: MESSAGE_SOURCE.to_string(),
        instance: session.instance.clone(),
        event,
    };
    let Some(origin) = session.parent_origin.as_deref() else {
        return;
    };
    let fields = message.fields();
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let value = crate::api::js_object(&pairs);
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(Some(parent)) = window.parent() {
        let _ = parent.post_message(&value, origin);
    }
}
