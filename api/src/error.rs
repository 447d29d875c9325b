//! The one error body every 4xx and 5xx answer carries.

use serde::{Deserialize, Serialize};

/// `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ApiError,
}

/// What was wrong, for a program (`code`), a person (`message`) and a form (`field`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Machine-readable class of the error.
    pub code: ErrorCode,
    /// A sentence saying what was wrong and what to do.
    pub message: String,
    /// The request field at fault, if one is (`"amount"`, `"phone"`, …).
    pub field: Option<String>,
}

/// Machine-readable error classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON of the expected shape.
    InvalidJson,
    /// A field has a value that is not allowed.
    InvalidField,
    /// A required field is absent.
    MissingField,
    /// No or a wrong key.
    Unauthorized,
    /// No such checkout, payment or route.
    NotFound,
    /// The method is not allowed on this route.
    MethodNotAllowed,
    /// A payment is already live on this checkout.
    PaymentInProgress,
    /// The checkout was paid or can no longer be paid.
    CheckoutClosed,
    /// A one-time code was sent for a payment that is not waiting for one.
    NotAwaitingOtp,
    /// The provider did not accept the one-time code.
    OtpIncorrect,
    /// No more one-time codes may be tried for this payment.
    OtpAttemptsExhausted,
    /// The `Idempotency-Key` was used before with another body.
    IdempotencyConflict,
    /// A request with this `Idempotency-Key` is still being processed.
    IdempotencyKeyInUse,
    /// The payment has not succeeded, so it has no receipt and cannot be refunded.
    NotSucceeded,
    /// Everything the payment took has been refunded already (or is being refunded).
    NotRefundable,
    /// The provider refused the request (e.g. an invalid wallet).
    ProviderRefused,
    /// Too many payment prompts (or verification codes) for a phone number, checkout or
    /// client in a window.
    TooManyPrompts,
    /// The route asks a guest to verify the number by SMS code before any prompt, and this
    /// number is not verified for the checkout (field `phone`).
    PhoneNotVerified,
    /// The body is larger than allowed.
    PayloadTooLarge,
    /// A webhook's signature did not verify.
    InvalidSignature,
    /// The provider could not be reached or answered an error.
    ProviderUnavailable,
    /// Lipa's own configuration is wrong.
    Misconfigured,
    /// Something failed inside Lipa.
    Internal,
}

impl ErrorCode {
    /// Every code, once each (the test below makes a new variant a compile error there).
    pub const ALL: [ErrorCode; 23] = [
        ErrorCode::InvalidJson,
        ErrorCode::InvalidField,
        ErrorCode::MissingField,
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PaymentInProgress,
        ErrorCode::CheckoutClosed,
        ErrorCode::NotAwaitingOtp,
        ErrorCode::OtpIncorrect,
        ErrorCode::OtpAttemptsExhausted,
        ErrorCode::IdempotencyConflict,
        ErrorCode::IdempotencyKeyInUse,
        ErrorCode::NotSucceeded,
        ErrorCode::NotRefundable,
        ErrorCode::ProviderRefused,
        ErrorCode::TooManyPrompts,
        ErrorCode::PhoneNotVerified,
        ErrorCode::PayloadTooLarge,
        ErrorCode::InvalidSignature,
        ErrorCode::ProviderUnavailable,
        ErrorCode::Misconfigured,
        ErrorCode::Internal,
    ];

    /// The HTTP status that goes with the code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidJson | ErrorCode::InvalidField | ErrorCode::MissingField => 400,
            ErrorCode::Unauthorized | ErrorCode::InvalidSignature => 401,
            ErrorCode::PhoneNotVerified => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::PaymentInProgress
            | ErrorCode::CheckoutClosed
            | ErrorCode::NotAwaitingOtp
            | ErrorCode::OtpAttemptsExhausted
            | ErrorCode::NotSucceeded
            | ErrorCode::NotRefundable
            | ErrorCode::IdempotencyKeyInUse => 409,
            ErrorCode::OtpIncorrect
            | ErrorCode::IdempotencyConflict
            | ErrorCode::ProviderRefused => 422,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::TooManyPrompts => 429,
            ErrorCode::ProviderUnavailable => 502,
            ErrorCode::Misconfigured | ErrorCode::Internal => 500,
        }
    }
}

impl ApiError {
    /// An error with no field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// An error about one field.
    pub fn field(code: ErrorCode, field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    /// Wraps the error in its body.
    pub fn into_body(self) -> ErrorBody {
        ErrorBody { error: self }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{:?} ({field}): {}", self.code, self.message),
            None => write!(f, "{:?}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FailureReason;

    #[test]
    fn the_all_lists_name_every_variant() {
        // A new variant makes these matches fail to compile: add it to the ALL list too.
        for code in ErrorCode::ALL {
            match code {
                ErrorCode::InvalidJson
                | ErrorCode::InvalidField
                | ErrorCode::MissingField
                | ErrorCode::Unauthorized
                | ErrorCode::NotFound
                | ErrorCode::MethodNotAllowed
                | ErrorCode::PaymentInProgress
                | ErrorCode::CheckoutClosed
                | ErrorCode::NotAwaitingOtp
                | ErrorCode::OtpIncorrect
                | ErrorCode::OtpAttemptsExhausted
                | ErrorCode::IdempotencyConflict
                | ErrorCode::IdempotencyKeyInUse
                | ErrorCode::NotSucceeded
                | ErrorCode::NotRefundable
                | ErrorCode::ProviderRefused
                | ErrorCode::TooManyPrompts
                | ErrorCode::PhoneNotVerified
                | ErrorCode::PayloadTooLarge
                | ErrorCode::InvalidSignature
                | ErrorCode::ProviderUnavailable
                | ErrorCode::Misconfigured
                | ErrorCode::Internal => {}
            }
        }
        for reason in FailureReason::ALL {
            match reason {
                FailureReason::WrongPin
                | FailureReason::InsufficientFunds
                | FailureReason::TimedOut
                | FailureReason::Cancelled
                | FailureReason::LimitReached
                | FailureReason::NotRegistered
                | FailureReason::Declined
                | FailureReason::ProviderError => {}
            }
        }
        let codes: std::collections::BTreeSet<String> =
            ErrorCode::ALL.iter().map(|c| format!("{c:?}")).collect();
        assert_eq!(codes.len(), ErrorCode::ALL.len(), "each code once");
    }
}
