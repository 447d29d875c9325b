//! Properties every target checks on what the code under test returns.

use lipa_api::{Country, Currency, PaymentStatus};
use lipa_providers::{Expected, HttpResponse, ProviderError, ProviderPayment};

/// Every currency Lipa takes (each country's).
pub(crate) fn currencies() -> [Currency; 6] {
    Country::ALL.map(Country::currency)
}

/// A normalized answer keeps its promises: a status Lipa does not know is pending, the
/// status survives the JSON the edge stores it as, and the echo can be compared.
pub(crate) fn payment(p: &ProviderPayment) {
    if let Some(raw) = &p.unknown_status {
        assert_eq!(
            p.status,
            PaymentStatus::Pending,
            "an unknown status ({raw:?}) must read as pending"
        );
    }
    status_round_trips(&p.status);
    let expected = Expected {
        reference: "co_abc123",
        amounts: &[150_000],
        currency: Currency::KES,
    };
    let _ = p.echo.mismatch(&expected);
}

/// A status serializes and reads back as itself (the edge stores it as JSON).
pub(crate) fn status_round_trips(status: &PaymentStatus) {
    let json = serde_json::to_string(status);
    assert!(json.is_ok(), "{status:?} does not serialize");
    if let Ok(json) = json {
        let back: Result<PaymentStatus, _> = serde_json::from_str(&json);
        assert_eq!(back.ok().as_ref(), Some(status), "{json}");
    }
}

/// A parser that reads the body only through `decode_json` classifies the response by its
/// status exactly as `decode_json` documents: a 2xx is read (or is a decode error), 401/403
/// unauthorized, 409 conflict, 429 rate-limited (with `Retry-After`), another 4xx rejected,
/// anything else unavailable.
pub(crate) fn classified<T>(response: &HttpResponse, result: &Result<T, ProviderError>) {
    let Err(e) = result else {
        assert!(
            response.is_success(),
            "read a {} as an answer",
            response.status
        );
        return;
    };
    let _ = e.to_string();
    match response.status {
        200..=299 => assert!(
            matches!(e, ProviderError::Decode(_)),
            "a 2xx that was not read must be a decode error, not {e:?}"
        ),
        401 | 403 => assert_eq!(e, &ProviderError::Unauthorized),
        409 => assert_eq!(e, &ProviderError::Conflict),
        429 => assert!(matches!(e, ProviderError::RateLimited { .. }), "{e:?}"),
        status @ 400..=499 => assert!(
            matches!(e, ProviderError::Rejected { status: s, .. } if *s == status),
            "{e:?}"
        ),
        status => assert_eq!(e, &ProviderError::Unavailable { status }),
    }
}

/// Runs a future that never waits (every verifier the targets pass is ready at once) to
/// its end; `None` if it did wait.
pub(crate) fn ready<F: std::future::Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => None,
    }
}
