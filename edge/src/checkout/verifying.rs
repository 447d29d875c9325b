//! The Checkout object's phone verification for guests: the rules are [`super::verification`],
//! applied read → decide → write with no I/O between; the limits' Durable Object and the SMS
//! gateway are awaited only outside those steps. The code itself is never stored, logged or
//! sent anywhere but to the SMS gateway.

use lipa_api::phone::Msisdn;
use lipa_api::{ApiError, CheckCode, ErrorCode, StartPayment, VerificationView};
use worker::Response;

use super::record::CheckoutRecord;
use super::verification::{self, Checked, NotSent};
use super::{log, CheckoutObject};
use crate::config::Config;
use crate::error::{json_response, EdgeResult};
use crate::executor::now_ms;
use crate::ids;

/// The guest's number as typed, parsed for the checkout's country (refused naming `phone`).
fn guest_number(rec: &CheckoutRecord, phone: &str) -> Result<Msisdn, ApiError> {
    Msisdn::parse(rec.country, phone)
        .map_err(|e| ApiError::field(ErrorCode::InvalidField, "phone", e.message(rec.country)))
}

/// The answer for a number that needs no (more) code.
fn verified(masked: String) -> VerificationView {
    VerificationView {
        phone_masked: masked,
        verified: true,
        expires_at_ms: None,
        attempts_left: None,
    }
}

/// The 429 for a code that may not be sent now.
fn not_sent(why: NotSent, now: i64) -> ApiError {
    let message = match why {
        NotSent::TooSoon { retry_at_ms } => format!(
            "A code was just sent to this number. You can ask for another in {} seconds.",
            ((retry_at_ms - now).max(0) + 999) / 1000
        ),
        NotSent::TooMany | NotSent::Verified => {
            "Too many codes for this phone number. Try again later or use another number."
                .to_string()
        }
    };
    ApiError::field(ErrorCode::TooManyPrompts, "phone", message)
}

impl CheckoutObject {
    /// `POST /verify`: sends the guest's number a new code by SMS, unless the route needs
    /// none, the merchant locked the number, or it is verified already (then it answers
    /// `verified: true` and sends nothing).
    pub(super) async fn send_code(
        &self,
        body: &str,
        client_ip: Option<String>,
        host: Option<String>,
    ) -> EdgeResult<Response> {
        let config = self.config()?;
        let rec = self.load_existing().await?;
        let (operator, phone) = StartPayment::from_json(body, rec.country)?;
        if let Some(locked) = &rec.locked_phone {
            return Ok(json_response(&verified(locked.masked()), 200)?);
        }
        let msisdn = guest_number(&rec, &phone)?;
        if !config.routes.verify_phone(rec.country, operator)
            || verification::is_verified(&rec.verifications, &msisdn.e164())
        {
            return Ok(json_response(&verified(msisdn.masked()), 200)?);
        }
        let now = now_ms();
        // A paid or expired checkout takes no payment, so it sends no code either.
        rec.check_can_start(now)?;
        // Decided on the stored record first, so a refused resend spends no limit.
        verification::may_send(&rec.verifications, &msisdn, now).map_err(|w| not_sent(w, now))?;
        self.check_code_limits(&config, &msisdn, client_ip.as_deref())
            .await?;
        // Read → decide → write: the code is issued on the record as stored now.
        let code = verification::new_code()?;
        let salt = ids::random_id("", 16)?;
        let mut rec = self.load_existing().await?;
        let now = now_ms();
        let issued = verification::issue(
            &mut rec.verifications,
            &msisdn,
            salt.clone(),
            verification::digest(&salt, &code),
            now,
        )
        .map_err(|w| not_sent(w, now))?;
        self.save(&rec).await?;
        let Some(gateway) = config.sms.as_ref() else {
            return Err(ApiError::new(
                ErrorCode::Misconfigured,
                "phone verification needs SMS_GATEWAY_URL",
            )
            .into());
        };
        let text = crate::sms::message(&config.merchant.name, &code, host.as_deref());
        if let Err(e) = crate::sms::send(gateway, &msisdn.e164(), &text).await {
            // The gateway's words may echo the message: the code is cut out before logging.
            log("verify_code_send_failed", &e.replace(&code, "••••••"));
            return Err(ApiError::new(
                ErrorCode::ProviderUnavailable,
                "The code could not be sent right now. Please try again.",
            )
            .into());
        }
        log(
            "verify_code_sent",
            &format!("{} {}", rec.id, msisdn.masked()),
        );
        Ok(json_response(
            &VerificationView {
                phone_masked: msisdn.masked(),
                verified: false,
                expires_at_ms: Some(issued.expires_at_ms),
                attempts_left: Some(verification::tries_left(&issued)),
            },
            200,
        )?)
    }

    /// Codes sent by SMS cost money and reach a stranger's phone: the per-phone limit of
    /// `PROMPT_LIMITS` and the codes' per-address binding bound them too, counted apart from
    /// prompts (the address first: it needs no hop).
    async fn check_code_limits(
        &self,
        config: &Config,
        msisdn: &Msisdn,
        client_ip: Option<&str>,
    ) -> EdgeResult<()> {
        let limits = config.limits;
        let now = now_ms();
        crate::ip_limit::check(&self.env, crate::ip_limit::Purpose::Code, client_ip).await?;
        let bucket = format!("code:phone:{}", msisdn.e164());
        if let Err(retry_at) =
            crate::limiter::take(&self.env, &bucket, limits.per_phone, limits.window_ms).await?
        {
            log("verify_code_limit", &format!("phone {}", msisdn.masked()));
            return Err(ApiError {
                field: Some("phone".into()),
                ..crate::limits::refused_codes("phone number", retry_at, now)
            }
            .into());
        }
        Ok(())
    }

    /// `POST /verify/check`: checks the typed code on the record as stored (read → decide →
    /// write, no I/O between), so codes checked at once spend at most the tries left.
    pub(super) async fn check_code(&self, body: &str) -> EdgeResult<Response> {
        let (phone, code) = CheckCode::from_json(body)?;
        let mut rec = self.load_existing().await?;
        if let Some(locked) = &rec.locked_phone {
            return Ok(json_response(&verified(locked.masked()), 200)?);
        }
        let msisdn = guest_number(&rec, &phone)?;
        let e164 = msisdn.e164();
        let outcome = verification::check(&mut rec.verifications, &e164, &code, now_ms());
        if matches!(outcome, Checked::Verified | Checked::Incorrect { .. }) {
            self.save(&rec).await?;
        }
        log(
            "verify_code_checked",
            &format!("{} {} {outcome:?}", rec.id, msisdn.masked()),
        );
        match outcome {
            Checked::Verified | Checked::AlreadyVerified => {
                Ok(json_response(&verified(msisdn.masked()), 200)?)
            }
            Checked::Incorrect { left } if left > 0 => {
                let plural = if left == 1 { "attempt" } else { "attempts" };
                Err(ApiError::field(
                    ErrorCode::OtpIncorrect,
                    "code",
                    format!("That code is not right. {left} {plural} left."),
                )
                .into())
            }
            Checked::Incorrect { .. } | Checked::Exhausted => Err(ApiError::field(
                ErrorCode::OtpAttemptsExhausted,
                "code",
                "Too many wrong codes. Ask for a new code.",
            )
            .into()),
            Checked::NoLiveCode => Err(ApiError::field(
                ErrorCode::NotAwaitingOtp,
                "code",
                "This code has expired or was never sent. Ask for a new code.",
            )
            .into()),
        }
    }
}
