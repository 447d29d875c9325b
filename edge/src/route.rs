//! Which handler a request goes to, decided from its method and path alone.

use lipa_api::{ApiError, ErrorCode};

/// Every route the edge serves (static assets are served before the Worker runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /health`.
    Health,
    /// `GET /v1/openapi.json`: the merchant API's OpenAPI contract (no key needed).
    OpenApi,
    /// `POST /v1/checkouts` (merchant secret key).
    CreateCheckout,
    /// `GET /v1/checkouts?reference=…` (merchant secret key).
    Checkouts,
    /// `GET /v1/checkouts/{id}` (merchant secret key).
    Checkout(String),
    /// `GET /v1/payments/{id}` (merchant secret key).
    Payment(String),
    /// `GET /v1/payments/{id}/receipt` (merchant secret key).
    Receipt(String),
    /// `POST /v1/refunds` (merchant secret key, `Idempotency-Key`).
    CreateRefund,
    /// `GET /v1/refunds/{id}` (merchant secret key).
    Refund(String),
    /// `POST /v1/payouts` (merchant secret key, `Idempotency-Key`).
    CreatePayout,
    /// `GET /v1/payouts/{id}` (merchant secret key).
    Payout(String),
    /// `GET /v1/events` (merchant secret key).
    Events,
    /// `GET /v1/events/{id}` (merchant secret key).
    Event(String),
    /// `POST /v1/events/{id}/resend` (merchant secret key).
    ResendEvent(String),
    /// `GET /api/checkouts/{id}` (client secret).
    WidgetCheckout(String),
    /// `POST /api/checkouts/{id}/payments` (client secret).
    StartPayment(String),
    /// `GET /api/checkouts/{id}/live`: a WebSocket on which the checkout announces changes
    /// (client secret as the `cs.…` subprotocol).
    Live(String),
    /// `POST /api/checkouts/{id}/otp` (client secret).
    SubmitOtp(String),
    /// `POST /api/checkouts/{id}/check` (client secret): "I've approved".
    CheckPayment(String),
    /// `POST /api/checkouts/{id}/verify` (client secret): send a guest's number a code.
    SendCode(String),
    /// `POST /api/checkouts/{id}/verify/check` (client secret): the code the guest typed.
    CheckCode(String),
    /// `POST /webhooks/{provider}`.
    ProviderWebhook(String),
    /// `GET /pay/{id}`: with `?t=` (the `pay_url`'s link token) the hosted payment page,
    /// without it the page that hosts the embedded widget.
    PayPage(String),
    /// `POST /pay/{id}`: a form of the hosted payment page (link token and CSRF token in the
    /// body).
    HostedForm(String),
}

/// Matches a method and path to a route, or a JSON-ready 404 / 405.
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let id = |s: &&str| s.to_string();
    // Each path's routes by method (a GET route also answers HEAD).
    let by_method: Vec<(&str, Route)> = match segments.as_slice() {
        ["health"] => vec![("GET", Route::Health)],
        ["v1", "openapi.json"] => vec![("GET", Route::OpenApi)],
        ["v1", "checkouts"] => vec![("POST", Route::CreateCheckout), ("GET", Route::Checkouts)],
        ["v1", "checkouts", c] => vec![("GET", Route::Checkout(id(c)))],
        ["v1", "payments", p] => vec![("GET", Route::Payment(id(p)))],
        ["v1", "payments", p, "receipt"] => vec![("GET", Route::Receipt(id(p)))],
        ["v1", "refunds"] => vec![("POST", Route::CreateRefund)],
        ["v1", "refunds", r] => vec![("GET", Route::Refund(id(r)))],
        ["v1", "payouts"] => vec![("POST", Route::CreatePayout)],
        ["v1", "events"] => vec![("GET", Route::Events)],
        ["v1", "events", e] => vec![("GET", Route::Event(id(e)))],
        ["v1", "events", e, "resend"] => vec![("POST", Route::ResendEvent(id(e)))],
        ["v1", "payouts", p] => vec![("GET", Route::Payout(id(p)))],
        ["api", "checkouts", c] => vec![("GET", Route::WidgetCheckout(id(c)))],
        ["api", "checkouts", c, "payments"] => vec![("POST", Route::StartPayment(id(c)))],
        ["api", "checkouts", c, "otp"] => vec![("POST", Route::SubmitOtp(id(c)))],
        ["api", "checkouts", c, lipa_api::live::PATH_SEGMENT] => vec![("GET", Route::Live(id(c)))],
        ["api", "checkouts", c, "check"] => vec![("POST", Route::CheckPayment(id(c)))],
        ["api", "checkouts", c, "verify"] => vec![("POST", Route::SendCode(id(c)))],
        ["api", "checkouts", c, "verify", "check"] => vec![("POST", Route::CheckCode(id(c)))],
        ["webhooks", provider] => vec![("POST", Route::ProviderWebhook(id(provider)))],
        ["pay", c] => vec![
            ("GET", Route::PayPage(id(c))),
            ("POST", Route::HostedForm(id(c))),
        ],
        _ => {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no route for {method} {path}"),
            ))
        }
    };
    let allowed: Vec<&str> = by_method.iter().map(|(m, _)| *m).collect();
    by_method
        .into_iter()
        .find(|(m, _)| *m == method || (*m == "GET" && method == "HEAD"))
        .map(|(_, route)| route)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!("{path} takes {}, not {method}", allowed.join(" or ")),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_method_and_path() {
        assert_eq!(route("POST", "/v1/checkouts"), Ok(Route::CreateCheckout));
        assert_eq!(route("GET", "/v1/openapi.json"), Ok(Route::OpenApi));
        assert_eq!(
            route("GET", "/api/checkouts/co_1"),
            Ok(Route::WidgetCheckout("co_1".into()))
        );
        assert_eq!(
            route("POST", "/api/checkouts/co_1/payments"),
            Ok(Route::StartPayment("co_1".into()))
        );
        assert_eq!(
            route("POST", "/api/checkouts/co_1/check"),
            Ok(Route::CheckPayment("co_1".into()))
        );
        assert_eq!(
            route("POST", "/api/checkouts/co_1/verify"),
            Ok(Route::SendCode("co_1".into()))
        );
        assert_eq!(
            route("POST", "/api/checkouts/co_1/verify/check"),
            Ok(Route::CheckCode("co_1".into()))
        );
        assert_eq!(
            route("POST", "/webhooks/crisscross"),
            Ok(Route::ProviderWebhook("crisscross".into()))
        );
        assert_eq!(route("GET", "/pay/co_1"), Ok(Route::PayPage("co_1".into())));
        assert_eq!(
            route("POST", "/pay/co_1"),
            Ok(Route::HostedForm("co_1".into()))
        );
        assert_eq!(
            route("GET", "/v1/payments/pay_1/receipt"),
            Ok(Route::Receipt("pay_1".into()))
        );
        assert_eq!(route("POST", "/v1/refunds"), Ok(Route::CreateRefund));
        assert_eq!(
            route("GET", "/v1/refunds/re_1"),
            Ok(Route::Refund("re_1".into()))
        );
        assert_eq!(route("POST", "/v1/payouts"), Ok(Route::CreatePayout));
        assert_eq!(route("GET", "/v1/events"), Ok(Route::Events));
        assert_eq!(
            route("POST", "/v1/events/evt_1/resend"),
            Ok(Route::ResendEvent("evt_1".into()))
        );
        assert_eq!(
            route("GET", "/v1/payouts/po_1"),
            Ok(Route::Payout("po_1".into()))
        );
        assert_eq!(
            route("GET", "/v1/refunds").unwrap_err().code,
            ErrorCode::MethodNotAllowed
        );
    }

    #[test]
    fn unknown_paths_and_methods_are_json_errors() {
        assert_eq!(route("GET", "/nope").unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(
            route("DELETE", "/v1/checkouts").unwrap_err().code,
            ErrorCode::MethodNotAllowed
        );
        assert_eq!(route("GET", "/v1/checkouts"), Ok(Route::Checkouts));
        assert_eq!(
            route("GET", "/v1/checkouts/co_1"),
            Ok(Route::Checkout("co_1".into()))
        );
        assert_eq!(
            route("GET", "/v1/payments/pay_1"),
            Ok(Route::Payment("pay_1".into()))
        );
        assert_eq!(
            route("POST", "/v1/payments/pay_1").unwrap_err().code,
            ErrorCode::MethodNotAllowed
        );
        assert_eq!(
            route("DELETE", "/api/checkouts/co_1").unwrap_err().code,
            ErrorCode::MethodNotAllowed
        );
    }
}
