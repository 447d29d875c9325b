//! The JSON contract of Lipa, shared by the widget, the edge and the sandbox's demo shop.
//!
//! Everything here is plain data and pure validation: no I/O, no clock, no randomness.
//! Amounts are integers in minor units ([`money`]); phone numbers are checked against the
//! country's numbering plan before any provider is called ([`phone`]).

pub mod approval;
pub mod checkout;
pub mod country;
pub mod error;
pub mod event;
pub mod i18n;
mod json;
pub mod links;
pub mod live;
pub mod message;
pub mod money;
pub mod numbering;
pub mod openapi;
pub mod payment;
pub mod payout;
pub mod phone;
pub mod receipt;
pub mod refund;

pub use checkout::{
    CheckCode, CheckoutCreated, CheckoutView, CreateCheckout, OperatorView, StartPayment,
    SubmitOtp, VerificationView,
};
pub use country::{Country, Operator};
pub use error::{ApiError, ErrorBody, ErrorCode};
pub use money::Currency;
pub use payment::{FailureReason, NextAction, PaymentStatus, PaymentView};
