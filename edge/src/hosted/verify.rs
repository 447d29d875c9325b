//! Phone verification on the hosted page: a guest on a route that verifies phones (Xtopay's)
//! confirms the number with the code sent by SMS before Pay, through plain forms.
//!
//! The page sends the Checkout object the messages the widget's API sends (`SendCode` as
//! `POST /verify`, `CheckCode` as `POST /verify/check`): the object alone decides whether a
//! code is needed, may be sent, is right, expired or out of tries. This module only words its
//! answers in the customer's language ([`lipa_api::i18n::VerifyText`]) and carries what the
//! "Confirm your number" screen needs from one form to the next (operator, number as typed,
//! the tries it last said were left).

use lipa_api::i18n::Text;
use lipa_api::phone::Msisdn;
use lipa_api::{ApiError, CheckoutView, ErrorCode, Operator, VerificationView};
use worker::Env;

use super::html::Notice;
use super::{code_name, read_refusal};
use crate::checkout::verification::MAX_TRIES;
use crate::checkout::CheckoutMessage;
use crate::error::EdgeResult;
use crate::handlers::call_checkout;

/// A guest's number waiting for its SMS code: what the "Confirm your number" screen shows
/// and carries in its forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifying {
    /// The operator chosen (the payment, and any new code, are for its route).
    pub operator: Operator,
    /// The number as the customer typed it.
    pub phone: String,
    /// The number as the screen shows it (`+233 ••• ••• 001`).
    pub phone_masked: String,
    /// Wrong codes the customer may still type, as the object last said.
    pub left: u32,
    /// A new code was just sent at the customer's request.
    pub resent: bool,
}

impl Verifying {
    /// The screen for `phone` (as typed) after the object answered `sent`.
    pub fn sent(operator: Operator, phone: &str, sent: &VerificationView, resent: bool) -> Self {
        Verifying {
            operator,
            phone: phone.to_string(),
            phone_masked: sent.phone_masked.clone(),
            left: sent.attempts_left.unwrap_or(MAX_TRIES),
            resent,
        }
    }

    /// The screen again for a number the form carried back, `left` tries to go.
    pub fn again(checkout: &CheckoutView, operator: Operator, phone: &str, left: u32) -> Self {
        Verifying {
            operator,
            phone: phone.to_string(),
            phone_masked: Msisdn::parse(checkout.country, phone)
                .map(|m| m.masked())
                .unwrap_or_default(),
            left,
            resent: false,
        }
    }
}

/// Whether a Pay with `operator` needs the number confirmed first, as the checkout's view
/// says (the object's own answer; a number the merchant locked never does).
pub fn needs_code(checkout: &CheckoutView, operator: Operator) -> bool {
    checkout.locked_phone.is_none()
        && checkout
            .operators
            .iter()
            .any(|o| o.id == operator && o.verify_phone)
}

/// The tries a form said were left (never more than a code has).
pub fn tries_said(left: &str) -> u32 {
    left.trim()
        .parse::<u32>()
        .map_or(MAX_TRIES, |n| n.min(MAX_TRIES))
}

/// A refusal of `SendCode` or `CheckCode` in the customer's words, shown at the code field,
/// and the tries left after it (`left`: before it). A wrong code leaves at least one try:
/// the object says "exhausted" instead when none is left.
pub fn refusal(t: &Text, e: &ApiError, left: u32) -> (Notice, u32) {
    let v = t.verify;
    match e.code {
        ErrorCode::OtpIncorrect => {
            let left = left.saturating_sub(1).max(1);
            (Notice::Code((v.wrong)(left)), left)
        }
        ErrorCode::InvalidField if e.field.as_deref() == Some("code") => {
            (Notice::Code(v.format.to_string()), left)
        }
        ErrorCode::OtpAttemptsExhausted => (Notice::Code(v.exhausted.to_string()), 0),
        _ => (Notice::Code(words(t, e.code).to_string()), left),
    }
}

/// The verification words for an error code, else the shared refusal's.
pub fn words(t: &Text, code: ErrorCode) -> &'static str {
    let name = code_name(code);
    t.verify
        .refusal(&name)
        .unwrap_or_else(|| t.refusal_for(&name))
}

/// `SendCode`, as the widget's `POST /verify`: the object's answer, or its refusal.
pub async fn send_code(
    env: &Env,
    checkout_id: &str,
    token: &str,
    client_ip: Option<String>,
    host: Option<String>,
    operator: Operator,
    phone: &str,
) -> EdgeResult<Result<VerificationView, ApiError>> {
    let body = serde_json::json!({ "operator": operator.id(), "phone": phone });
    let message = CheckoutMessage::SendCode {
        client_secret: token.to_string(),
        client_ip,
        host,
        body: body.to_string(),
    };
    answer(env, checkout_id, &message).await
}

/// `CheckCode`, as the widget's `POST /verify/check`: the object's answer, or its refusal.
pub async fn check_code(
    env: &Env,
    checkout_id: &str,
    token: &str,
    phone: &str,
    code: &str,
) -> EdgeResult<Result<VerificationView, ApiError>> {
    let body = serde_json::json!({ "phone": phone, "code": code });
    let message = CheckoutMessage::CheckCode {
        client_secret: token.to_string(),
        body: body.to_string(),
    };
    answer(env, checkout_id, &message).await
}

async fn answer(
    env: &Env,
    checkout_id: &str,
    message: &CheckoutMessage,
) -> EdgeResult<Result<VerificationView, ApiError>> {
    let mut resp = call_checkout(env, checkout_id, message).await?;
    if (200..300).contains(&resp.status_code()) {
        Ok(Ok(resp.json::<VerificationView>().await?))
    } else {
        Ok(Err(read_refusal(resp).await))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lipa_api::i18n::Locale;
    use lipa_api::{Country, Currency, OperatorView};

    fn ghana(locked: Option<&str>) -> CheckoutView {
        CheckoutView {
            id: "co_1".into(),
            merchant_name: "Duka".into(),
            amount: 5000,
            currency: Currency::GHS,
            country: Country::GH,
            description: "Order".into(),
            operators: vec![
                OperatorView {
                    id: Operator::MtnMomo,
                    name: "MTN MoMo".into(),
                    fee: 0,
                    verify_phone: true,
                },
                OperatorView {
                    id: Operator::AtMoney,
                    name: "AT Money".into(),
                    fee: 0,
                    verify_phone: false,
                },
            ],
            locked_phone: locked.map(str::to_string),
            payment: None,
            expires_at_ms: None,
            success_url: None,
            cancel_url: None,
        }
    }

    #[test]
    fn a_code_is_asked_where_the_view_says_so_never_for_a_locked_number() {
        assert!(needs_code(&ghana(None), Operator::MtnMomo));
        assert!(!needs_code(&ghana(None), Operator::AtMoney));
        assert!(!needs_code(&ghana(None), Operator::Mpesa));
        assert!(!needs_code(
            &ghana(Some("+233 ••• ••• 001")),
            Operator::MtnMomo
        ));
    }

    #[test]
    fn the_tries_a_form_carries_are_bounded() {
        assert_eq!(tries_said("2"), 2);
        assert_eq!(tries_said("99"), MAX_TRIES);
        assert_eq!(tries_said("x"), MAX_TRIES);
        assert_eq!(tries_said(""), MAX_TRIES);
    }

    #[test]
    fn refusals_are_worded_at_the_code_with_the_tries_left() {
        let t = Locale::En.text();
        let code = |c: ErrorCode, field: &str| ApiError::field(c, field, "English words");
        assert_eq!(
            refusal(t, &code(ErrorCode::OtpIncorrect, "code"), 3),
            (
                Notice::Code("That code is not right. 2 attempts left.".into()),
                2
            )
        );
        assert_eq!(
            refusal(t, &code(ErrorCode::OtpIncorrect, "code"), 1).1,
            1,
            "the object says exhausted when none is left"
        );
        assert_eq!(
            refusal(t, &code(ErrorCode::InvalidField, "code"), 2),
            (
                Notice::Code("The code is the 6 digits in the SMS.".into()),
                2
            )
        );
        assert_eq!(
            refusal(t, &code(ErrorCode::OtpAttemptsExhausted, "code"), 1),
            (
                Notice::Code("Too many wrong codes. Send a new code.".into()),
                0
            )
        );
        assert_eq!(
            refusal(t, &code(ErrorCode::NotAwaitingOtp, "code"), 2).0,
            Notice::Code("This code has expired. Send a new code.".into())
        );
        assert!(matches!(
            refusal(t, &code(ErrorCode::TooManyPrompts, "phone"), 2).0,
            Notice::Code(m) if m.starts_with("Too many codes were sent to this number")
        ));
        // In the customer's language.
        let (Notice::Code(fr), _) =
            refusal(Locale::Fr.text(), &code(ErrorCode::OtpIncorrect, "code"), 3)
        else {
            panic!("not at the code")
        };
        assert_ne!(fr, "That code is not right. 2 attempts left.");
        assert!(fr.contains('2'));
    }

    #[test]
    fn a_form_carried_number_is_shown_masked() {
        let v = Verifying::again(&ghana(None), Operator::MtnMomo, "0247 100 001", 2);
        assert_eq!(v.phone_masked, "+233 ••• ••• 001");
        assert_eq!((v.left, v.resent), (2, false));
    }
}
