//! Which handler a request goes to, decided from its method and path alone.

use lipa_api::{ApiError, ErrorCode};

/// Every route the edge serves (static assets are served before the Worker runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /health`.
    Health,
    /// `POST /v1/checkouts` (merchant secret key).
    CreateCheckout,
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
    /// `POST /webhooks/{provider}`.
    ProviderWebhook(String),
    /// `GET /pay/{id}`: the page that hosts the widget.
    PayPage(String),
}

/// Matches a method and path to a route, or a JSON-ready 404 / 405.
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (route, allowed) = match segments.as_slice() {
        ["health"] => (Route::Health, "GET"),
        ["v1", "checkouts"] => (Route::CreateCheckout, "POST"),
        ["v1", "payments", id, "receipt"] => (Route::Receipt(id.to_string()), "GET"),
        ["v1", "refunds"] => (Route::CreateRefund, "POST"),
        ["v1", "refunds", id] => (Route::Refund(id.to_string()), "GET"),
        ["v1", "payouts"] => (Route::CreatePayout, "POST"),
        ["v1", "events"] => (Route::Events, "GET"),
        ["v1", "events", id] => (Route::Event(id.to_string()), "GET"),
        ["v1", "events", id, "resend"] => (Route::ResendEvent(id.to_string()), "POST"),
        ["v1", "payouts", id] => (Route::Payout(id.to_string()), "GET"),
        ["api", "checkouts", id] => (Route::WidgetCheckout(id.to_string()), "GET"),
        ["api", "checkouts", id, "payments"] => (Route::StartPayment(id.to_string()), "POST"),
        ["api", "checkouts", id, "otp"] => (Route::SubmitOtp(id.to_string()), "POST"),
        ["api", "checkouts", id, "live"] => (Route::Live(id.to_string()), "GET"),
        ["api", "checkouts", id, "check"] => (Route::CheckPayment(id.to_string()), "POST"),
        ["webhooks", provider] => (Route::ProviderWebhook(provider.to_string()), "POST"),
        ["pay", id] => (Route::PayPage(id.to_string()), "GET"),
        _ => {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no route for {method} {path}"),
            ))
        }
    };
    if method == allowed || (allowed == "GET" && method == "HEAD") {
        Ok(route)
    } else {
        Err(ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!("{path} takes {allowed}, not {method}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_method_and_path() {
        assert_eq!(route("POST", "/v1/checkouts"), Ok(Route::CreateCheckout));
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
            route("POST", "/webhooks/crisscross"),
            Ok(Route::ProviderWebhook("crisscross".into()))
        );
        assert_eq!(route("GET", "/pay/co_1"), Ok(Route::PayPage("co_1".into())));
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
            route("GET", "/v1/checkouts").unwrap_err().code,
            ErrorCode::MethodNotAllowed
        );
        assert_eq!(
            route("DELETE", "/api/checkouts/co_1").unwrap_err().code,
            ErrorCode::MethodNotAllowed
        );
    }
}
