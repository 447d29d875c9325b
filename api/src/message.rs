//! Messages the widget (inside the iframe) posts to the loader `lipa.js` on the merchant page.
//!
//! Every message carries `source: "lipa"` and the `instance` id the loader gave the iframe, so
//! two widgets on one page never answer each other.

use serde::{Deserialize, Serialize};

/// The value of `source` in every message.
pub const MESSAGE_SOURCE: &str = "lipa";

/// An envelope posted with `window.parent.postMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetMessage {
    /// Always [`MESSAGE_SOURCE`].
    pub source: String,
    /// The loader's instance id, from the iframe URL's fragment.
    pub instance: String,
    /// What happened.
    #[serde(flatten)]
    pub event: WidgetEvent,
}

/// What the widget tells the loader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WidgetEvent {
    /// The widget is interactive.
    Ready,
    /// The payment succeeded.
    Success {
        /// Lipa's payment id.
        payment_id: String,
        /// The checkout was already paid when the widget opened: this success is shown again,
        /// not new. On the wire `"true"`, or absent when false (the loader hands the merchant
        /// a boolean).
        #[serde(default, skip_serializing_if = "std::ops::Not::not", with = "flag")]
        replayed: bool,
    },
    /// The payment failed and no retry was made.
    Failure {
        /// Lipa's payment id.
        payment_id: String,
        /// A machine name of the reason.
        reason: String,
    },
    /// The customer closed the widget.
    Close,
    /// The widget cannot show the checkout (the edge refused it: unknown, expired, a wrong
    /// client secret…); the loader calls `onError`, and the merchant may send the customer to
    /// the checkout's `pay_url` or another way to pay.
    Error {
        /// The API error code, in snake case (e.g. `not_found`).
        code: String,
    },
}

impl WidgetMessage {
    /// The message's fields as flat string pairs, in wire order: what the widget posts
    /// without a serializer (it builds the JavaScript object from these).
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("source", self.source.clone()),
            ("instance", self.instance.clone()),
        ];
        match &self.event {
            WidgetEvent::Ready => out.push(("type", "ready".into())),
            WidgetEvent::Success {
                payment_id,
                replayed,
            } => {
                out.push(("type", "success".into()));
                out.push(("payment_id", payment_id.clone()));
                if *replayed {
                    out.push(("replayed", "true".into()));
                }
            }
            WidgetEvent::Failure { payment_id, reason } => {
                out.push(("type", "failure".into()));
                out.push(("payment_id", payment_id.clone()));
                out.push(("reason", reason.clone()));
            }
            WidgetEvent::Close => out.push(("type", "close".into())),
            WidgetEvent::Error { code } => {
                out.push(("type", "error".into()));
                out.push(("code", code.clone()));
            }
        }
        out
    }
}

/// A flag that travels as the string `"true"` (the widget posts only string fields).
mod flag {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if *value { "true" } else { "false" })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(String::deserialize(d)? == "true")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_match_the_serialized_form() {
        for event in [
            WidgetEvent::Ready,
            WidgetEvent::Close,
            WidgetEvent::Success {
                payment_id: "pay_1".into(),
                replayed: false,
            },
            WidgetEvent::Success {
                payment_id: "pay_1".into(),
                replayed: true,
            },
            WidgetEvent::Failure {
                payment_id: "pay_2".into(),
                reason: "declined".into(),
            },
            WidgetEvent::Error {
                code: "not_found".into(),
            },
        ] {
            let m = WidgetMessage {
                source: MESSAGE_SOURCE.into(),
                instance: "w1".into(),
                event,
            };
            let mut from_fields = serde_json::Map::new();
            for (k, v) in m.fields() {
                from_fields.insert(k.to_string(), serde_json::Value::String(v));
            }
            assert_eq!(
                serde_json::Value::Object(from_fields),
                serde_json::to_value(&m).unwrap()
            );
        }
    }

    #[test]
    fn messages_are_flat_and_tagged() {
        let m = WidgetMessage {
            source: MESSAGE_SOURCE.into(),
            instance: "i1".into(),
            event: WidgetEvent::Success {
                payment_id: "pay_1".into(),
                replayed: false,
            },
        };
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"source":"lipa","instance":"i1","type":"success","payment_id":"pay_1"}"#
        );
        let replayed = WidgetMessage {
            event: WidgetEvent::Success {
                payment_id: "pay_1".into(),
                replayed: true,
            },
            ..m
        };
        let json = serde_json::to_string(&replayed).unwrap();
        assert_eq!(
            json,
            r#"{"source":"lipa","instance":"i1","type":"success","payment_id":"pay_1","replayed":"true"}"#
        );
        assert_eq!(
            serde_json::from_str::<WidgetMessage>(&json).unwrap(),
            replayed
        );
    }
}
