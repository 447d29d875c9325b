//! Reads the browser's parsed JSON (a [`JsValue`]) into the `api` types, by hand: each type
//! read by the widget implements [`FromJs`], a struct through [`from_js_struct!`] (one line
//! naming its fields).
//!
//! The `api` types keep their serde derives, which the edge uses with serde_json; the widget
//! does not use them. Serde's derived visitors, driven by a deserializer over `JsValue`, cost
//! several kilobytes of wasm (their field-name matching, `visit_*` fallbacks and `MapAccess`
//! plumbing, copied per type); these readers ask the object for each field by name
//! (`Reflect::get`). The JSON is the same: a field that serde would refuse (absent without a
//! default, `null` where a value is needed, a value of another kind, an unknown enum name)
//! makes the read fail here too. Unknown fields are ignored, as serde ignores them. The
//! widget only needs to know *that* a value did not fit, never why.

use lipa_api::{
    CheckoutView, Country, Currency, FailureReason, NextAction, Operator, OperatorView,
    PaymentStatus, PaymentView, VerificationView,
};
use wasm_bindgen::{JsCast, JsValue};

/// Reads `value` as a `T`; `None` when it does not fit.
pub fn from_js<T: FromJs>(value: JsValue) -> Option<T> {
    T::from_js(value)
}

/// A type the widget reads from parsed JSON.
pub trait FromJs: Sized {
    /// Reads a present value; `None` when it does not fit.
    fn from_js(value: JsValue) -> Option<Self>;

    /// What an absent field reads as: nothing for most types (the read fails), `None` for
    /// an `Option`.
    fn absent() -> Option<Self> {
        None
    }
}

/// The field `key` of `object` read as a `T` (absent: [`FromJs::absent`]).
pub fn field<T: FromJs>(object: &JsValue, key: &str) -> Option<T> {
    match get(object, key)? {
        Some(value) => T::from_js(value),
        None => T::absent(),
    }
}

/// The field `key` of `object` read as a `T`, or `T`'s default when absent (serde's
/// `#[serde(default)]`).
pub fn field_or_default<T: FromJs + Default>(object: &JsValue, key: &str) -> Option<T> {
    match get(object, key)? {
        Some(value) => T::from_js(value),
        None => Some(T::default()),
    }
}

/// The field `key` of `object`: `Some(None)` when it is absent, `None` when it cannot be
/// read. Not generic, so that its code is not copied for every type read.
#[inline(never)]
fn get(object: &JsValue, key: &str) -> Option<Option<JsValue>> {
    let value = js_sys::Reflect::get(object, &JsValue::from_str(key)).ok()?;
    Some((!value.is_undefined()).then_some(value))
}

/// `object` when it is a JSON object (not an array, not `null`).
fn object(value: JsValue) -> Option<JsValue> {
    (value.is_object() && !js_sys::Array::is_array(&value)).then_some(value)
}

/// [`FromJs`] for a struct, read from a JSON object field by field:
/// `from_js_struct!(Type { field, other: "wireName", counted = default })`. A field is read
/// under its own name unless a wire name follows it; `= default` reads an absent field as
/// the type's default (serde's `#[serde(default)]`).
#[macro_export]
macro_rules! from_js_struct {
    ($ty:path { $($field:ident $(: $key:literal)? $(= $default:ident)?),* $(,)? }) => {
        impl $crate::de::FromJs for $ty {
            fn from_js(value: ::wasm_bindgen::JsValue) -> Option<Self> {
                let value = $crate::de::json_object(value)?;
                Some(Self {
                    $($field: $crate::from_js_struct!(@read value, $field $(: $key)? $(= $default)?),)*
                })
            }
        }
    };
    (@read $value:ident, $field:ident : $key:literal) => {
        $crate::de::field(&$value, $key)?
    };
    (@read $value:ident, $field:ident = default) => {
        $crate::de::field_or_default(&$value, stringify!($field))?
    };
    (@read $value:ident, $field:ident) => {
        $crate::de::field(&$value, stringify!($field))?
    };
}

/// [`object`], for [`from_js_struct!`].
#[doc(hidden)]
pub fn json_object(value: JsValue) -> Option<JsValue> {
    object(value)
}

/// The largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A whole number of at most [`MAX_SAFE`] in size (serde's integer visitors refuse a
/// fraction).
fn whole(value: &JsValue) -> Option<f64> {
    let n = value.as_f64()?;
    (n.fract() == 0.0 && n.abs() <= MAX_SAFE).then_some(n)
}

impl FromJs for String {
    fn from_js(value: JsValue) -> Option<Self> {
        value.as_string()
    }
}

impl FromJs for bool {
    fn from_js(value: JsValue) -> Option<Self> {
        value.as_bool()
    }
}

impl FromJs for i64 {
    fn from_js(value: JsValue) -> Option<Self> {
        whole(&value).map(|n| n as i64)
    }
}

impl FromJs for u32 {
    fn from_js(value: JsValue) -> Option<Self> {
        whole(&value)
            .filter(|n| (0.0..=f64::from(u32::MAX)).contains(n))
            .map(|n| n as u32)
    }
}

impl<T: FromJs> FromJs for Option<T> {
    fn from_js(value: JsValue) -> Option<Self> {
        if value.is_null() || value.is_undefined() {
            Some(None)
        } else {
            T::from_js(value).map(Some)
        }
    }

    fn absent() -> Option<Self> {
        Some(None)
    }
}

impl<T: FromJs> FromJs for Vec<T> {
    fn from_js(value: JsValue) -> Option<Self> {
        if !js_sys::Array::is_array(&value) {
            return None;
        }
        let items: js_sys::Array = value.unchecked_into();
        let mut out = Vec::new();
        for item in items {
            out.push(T::from_js(item)?);
        }
        Some(out)
    }
}

impl FromJs for Operator {
    fn from_js(value: JsValue) -> Option<Self> {
        Operator::from_id(&value.as_string()?)
    }
}

impl FromJs for Country {
    fn from_js(value: JsValue) -> Option<Self> {
        // Exactly as written (serde's names are the upper-case codes): `from_alpha2` would
        // also take lower case.
        let code = value.as_string()?;
        Country::ALL.into_iter().find(|c| c.alpha2() == code)
    }
}

impl FromJs for Currency {
    fn from_js(value: JsValue) -> Option<Self> {
        Currency::from_code(&value.as_string()?)
    }
}

impl FromJs for FailureReason {
    fn from_js(value: JsValue) -> Option<Self> {
        let code = value.as_string()?;
        FailureReason::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl FromJs for NextAction {
    /// `{"type": "otp"}` or `{"type": "redirect", "url": …}`.
    fn from_js(value: JsValue) -> Option<Self> {
        let value = object(value)?;
        match field::<String>(&value, "type")?.as_str() {
            "otp" => Some(NextAction::Otp),
            "redirect" => Some(NextAction::Redirect {
                url: field(&value, "url")?,
            }),
            _ => None,
        }
    }
}

impl FromJs for PaymentStatus {
    /// Tagged by `state`: `{"state": "failed", "reason": …, "retryable": …}`.
    fn from_js(value: JsValue) -> Option<Self> {
        let value = object(value)?;
        match field::<String>(&value, "state")?.as_str() {
            "created" => Some(PaymentStatus::Created),
            "pending" => Some(PaymentStatus::Pending),
            "action_required" => Some(PaymentStatus::ActionRequired {
                action: field(&value, "action")?,
            }),
            "succeeded" => Some(PaymentStatus::Succeeded),
            "failed" => Some(PaymentStatus::Failed {
                reason: field(&value, "reason")?,
                retryable: field(&value, "retryable")?,
            }),
            "expired" => Some(PaymentStatus::Expired),
            _ => None,
        }
    }
}

from_js_struct!(PaymentView {
    id,
    operator,
    phone_masked,
    status,
    created_at_ms,
    retry_at_ms,
    otp_attempts_left,
});

from_js_struct!(OperatorView {
    id,
    name,
    fee = default,
    verify_phone = default,
});

from_js_struct!(CheckoutView {
    id,
    merchant_name,
    amount,
    currency,
    country,
    description,
    operators,
    locked_phone,
    payment,
    expires_at_ms,
    success_url,
    cancel_url,
});

from_js_struct!(VerificationView {
    phone_masked,
    verified,
    expires_at_ms,
    attempts_left,
});
