//! The widget's calls to the edge: same origin, authorized by the checkout's client secret.

use gloo_net::http::{Request, RequestBuilder};
use lipa_api::{CheckoutView, PaymentView, VerificationView};
use wasm_bindgen::JsValue;

/// Where the widget is and what authorizes it, read from the iframe's URL:
/// `/pay/{checkout}#cs={client_secret}&i={instance}&o={parent origin}&l={locale}&a={appearance}`,
/// all but the appearance (URI-encoded JSON) taken as they are (ids, secrets, origins and
/// language tags carry no characters that would need escaping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The checkout id.
    pub checkout_id: String,
    /// The client secret (from the fragment, so it never reaches a server log).
    pub client_secret: String,
    /// The loader's instance id, echoed in every message.
    pub instance: String,
    /// The parent page's origin, the only target of the widget's messages.
    pub parent_origin: Option<String>,
    /// The language the merchant asked for, if any.
    pub locale: Option<String>,
    /// The merchant's appearance, as the loader passed it (URI-encoded JSON).
    pub appearance: Option<String>,
}

impl Session {
    /// Parses a path and a fragment; `None` when the URL is not a widget URL.
    pub fn parse(path: &str, fragment: &str) -> Option<Session> {
        let checkout_id = path
            .strip_prefix("/pay/")?
            .trim_end_matches('/')
            .to_string();
        let mut cs = None;
        let mut instance = String::new();
        let mut origin = None;
        let mut locale = None;
        let mut appearance = None;
        for pair in fragment.trim_start_matches('#').split('&') {
            match pair.split_once('=') {
                Some(("cs", v)) => cs = Some(v.to_string()),
                Some(("i", v)) => instance = v.to_string(),
                Some(("o", v)) => origin = Some(v.to_string()),
                Some(("l", v)) => locale = Some(v.to_string()),
                Some(("a", v)) => appearance = Some(v.to_string()),
                _ => {}
            }
        }
        Some(Session {
            checkout_id,
            client_secret: cs.filter(|s| !s.is_empty())?,
            instance,
            parent_origin: origin,
            locale,
            appearance,
        })
    }
}

/// What the widget needs of an edge refusal (`{"error": {"code", "message", "field"}}`):
/// its code, which the widget puts in the customer's language ([`crate::i18n::Text`]), and
/// the field to show it at. The edge's English `message` is never shown. The code is read
/// as text, which keeps the code enum's reader out of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The error code (`payment_in_progress`, …), or the widget's own `network` /
    /// `unexpected`.
    pub code: String,
    /// The request field at fault.
    pub field: Option<String>,
}

impl ApiError {
    fn new(code: &str) -> ApiError {
        ApiError {
            code: code.to_string(),
            field: None,
        }
    }
}

crate::from_js_struct!(ApiError { code, field });

/// An edge refusal's body.
struct ErrorBody {
    error: ApiError,
}

crate::from_js_struct!(ErrorBody { error });

fn network_error(_: JsValue) -> ApiError {
    ApiError::new(crate::i18n::NETWORK)
}

/// `parts` one after the other: `[&str]::concat`'s work in a plain loop, whose code is a
/// fraction of `concat`'s.
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        out.push_str(part);
    }
    out
}

/// A plain JavaScript object of string fields. Built by hand rather than serialized: the
/// widget then ships no serializer at all.
pub fn js_object(fields: &[(&str, &str)]) -> JsValue {
    let object = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    object.into()
}

/// How a call starts: gloo-net's `Request::get` or `Request::post`, which set the method from
/// a constant (`RequestBuilder::method` with an `http::Method` passed in ships its matching
/// and drop code).
type Start = fn(&str) -> RequestBuilder;

/// Reads the edge's answer ([`fetch`]) as a `T`. Not async: each call's own future awaits
/// [`fetch`] and then reads, without a generic future around [`fetch`]'s for every type read.
fn read<T: crate::de::FromJs>(answer: Result<JsValue, ApiError>) -> Result<T, ApiError> {
    crate::de::from_js(answer?).ok_or_else(|| ApiError::new(crate::i18n::UNEXPECTED))
}

/// Calls the edge through gloo-net's `http`: the answer's JSON when the edge accepted the
/// call, its refusal otherwise. The body is read as text and parsed by the browser
/// (`JSON.parse`): the widget ships no JSON parser of its own. Not generic, so that its code
/// is not copied for every type read.
async fn fetch(
    session: &Session,
    method: Start,
    path: &str,
    body: Option<JsValue>,
) -> Result<JsValue, ApiError> {
    let network = |_| ApiError::new(crate::i18n::NETWORK);
    let bearer = cat(&["Bearer ", &session.client_secret]);
    let request = method(path).header("Authorization", &bearer);
    let request = match body {
        Some(body) => request
            .header("Content-Type", "application/json")
            .body(js_sys::JSON::stringify(&body).map_err(network_error)?),
        None => request.build(),
    }
    .map_err(network)?;
    let response = request.send().await.map_err(network)?;
    let text = response.text().await.map_err(network)?;
    let json = js_sys::JSON::parse(&text).map_err(network_error)?;
    if response.ok() {
        Ok(json)
    } else {
        Err(crate::de::from_js::<ErrorBody>(json)
            .map(|b| b.error)
            .unwrap_or_else(|| ApiError::new(crate::i18n::UNEXPECTED)))
    }
}

/// Reads the checkout and its latest payment.
pub async fn checkout(session: &Session) -> Result<CheckoutView, ApiError> {
    read(
        fetch(
            session,
            Request::get,
            &cat(&["/api/checkouts/", &session.checkout_id]),
            None,
        )
        .await,
    )
}

/// Starts a payment.
pub async fn start_payment(
    session: &Session,
    operator: &str,
    phone: &str,
) -> Result<PaymentView, ApiError> {
    read(
        fetch(
            session,
            Request::post,
            &cat(&["/api/checkouts/", &session.checkout_id, "/payments"]),
            Some(js_object(&[("operator", operator), ("phone", phone)])),
        )
        .await,
    )
}

/// "I've approved": the edge reads the live payment from its provider now and answers it.
pub async fn check(session: &Session) -> Result<PaymentView, ApiError> {
    read(
        fetch(
            session,
            Request::post,
            &cat(&["/api/checkouts/", &session.checkout_id, "/check"]),
            None,
        )
        .await,
    )
}

/// Sends the customer's one-time code for the live payment.
pub async fn submit_otp(session: &Session, otp: &str) -> Result<PaymentView, ApiError> {
    read(
        fetch(
            session,
            Request::post,
            &cat(&["/api/checkouts/", &session.checkout_id, "/otp"]),
            Some(js_object(&[("otp", otp)])),
        )
        .await,
    )
}

/// Asks the edge to send the guest's number a verification code by SMS (routes with
/// `verify_phone`); `verified: true` when none is needed (or the number is verified already).
pub async fn send_code(
    session: &Session,
    operator: &str,
    phone: &str,
) -> Result<VerificationView, ApiError> {
    read(
        fetch(
            session,
            Request::post,
            &cat(&["/api/checkouts/", &session.checkout_id, "/verify"]),
            Some(js_object(&[("operator", operator), ("phone", phone)])),
        )
        .await,
    )
}

/// Checks the code the guest typed for `phone`.
pub async fn check_code(
    session: &Session,
    phone: &str,
    code: &str,
) -> Result<VerificationView, ApiError> {
    read(
        fetch(
            session,
            Request::post,
            &cat(&["/api/checkouts/", &session.checkout_id, "/verify/check"]),
            Some(js_object(&[("phone", phone), ("code", code)])),
        )
        .await,
    )
}

/// Waits for news of the payment: `ms` milliseconds at most (longer while the live channel is
/// up, since the edge speaks first). Returns the latest payment when the live channel
/// announced one, `None` when the time ran out (then read the checkout).
pub async fn wait_for_news(ms: i32) -> Option<PaymentView> {
    crate::live::wait(ms).await
}

/// Unix milliseconds now.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_comes_from_path_and_fragment() {
        let s = Session::parse(
            "/pay/co_1",
            "#cs=co_1_secret_x&i=w1&o=http://shop:8788&l=fr",
        )
        .unwrap();
        assert_eq!(s.locale.as_deref(), Some("fr"));
        assert_eq!(s.parent_origin.as_deref(), Some("http://shop:8788"));
        assert_eq!(s.checkout_id, "co_1");
        assert_eq!(s.client_secret, "co_1_secret_x");
        assert_eq!(s.instance, "w1");
        assert!(Session::parse("/pay/co_1", "#i=w1").is_none());
        assert!(Session::parse("/other", "#cs=x").is_none());
    }
}
