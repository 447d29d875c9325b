//! English.

use crate::{Country, FailureReason};

use super::{MoneyStyle, Text, VerifyText};

/// The widget in English.
pub const TEXT: Text = Text {
    money: MoneyStyle {
        group: ",",
        decimal: '.',
        code_after: false,
    },
    country: |c| match c {
        Country::KE => "Kenya",
        Country::UG => "Uganda",
        Country::GH => "Ghana",
        Country::CI => "Côte d'Ivoire",
        Country::RW => "Rwanda",
        Country::LR => "Liberia",
    },

    loading: "Loading secure checkout…",
    link_incomplete_title: "This payment link is incomplete",
    link_incomplete_body: "Open the payment again from the shop's page.",
    unavailable_title: "This checkout is not available",

    pay: |amount| format!("Pay {amount}"),
    choose_operator: "Choose your mobile money operator",
    choose_operator_error: "Choose your mobile money operator.",
    phone_label: "Mobile money number",
    phone_example: |n| format!("For example {n}"),
    phone_locked: "Number given by the shop",
    fee_included: |fee| format!("Includes a {fee} mobile-money fee"),
    secured: "Secured by Lipa",

    phone_empty: "Enter your mobile money number.",
    phone_characters: "Use digits only in the phone number.",
    phone_wrong_country: |country, code| {
        format!("This number is not from {country}: it should start with +{code}.")
    },
    phone_wrong_length: |country, n, code| {
        format!(
            "A {country} mobile number has {n} digits after +{code} (or {} starting with 0).",
            n + 1
        )
    },
    phone_not_mobile: |country, code, prefixes| {
        format!(
            "This is not a {country} mobile number: after +{code} it should start with {prefixes}."
        )
    },
    or: " or ",

    pending_title: "Check your phone",
    prompt_sent: |op| {
        // By sound: "an M-Pesa", "an MTN MoMo", "an Airtel Money", "an Orange Money", "an AT
        // Money"; "a Moov Money", "a Wave", "a Telecel Cash".
        let vowel_sound = ["M-Pesa", "MTN", "Airtel", "Orange", "AT "]
            .iter()
            .any(|p| op.starts_with(p));
        let article = if vowel_sound { "an" } else { "a" };
        format!("We've sent {article} {op} prompt to ")
    },
    enter_pin: ". Enter your PIN to approve.",
    waiting: |m, s| format!("Waiting for approval · {m}:{s:02}"),
    no_prompt: "No prompt? It may have timed out on your phone.",
    use_another_number: "Use another number",
    prompt_valid: |m, s| format!("The prompt stays valid for {m}:{s:02}"),
    approved: "I've approved",
    not_confirmed: "Your operator has not confirmed it yet. We keep checking.",
    send_again: "Send the prompt again",
    ussd_help: |path| format!("No prompt? Dial this code and open {path} to approve the payment:"),
    cancel: "Cancel",

    otp_title: |phone| format!("Enter the code sent to {phone}"),
    otp_body: |op| format!("{op} sent you a one-time code by SMS. It confirms this payment."),
    otp_label: "One-time code",
    otp_format: "The code is 4 to 8 digits, as sent to your phone.",
    otp_confirm: "Confirm code",
    otp_wrong: |n| {
        if n == 1 {
            "That code is not right. 1 attempt left.".to_string()
        } else {
            format!("That code is not right. {n} attempts left.")
        }
    },

    redirect_title: |op| format!("Finish on the {op} page"),
    redirect_body: |op| {
        format!("{op} needs you to confirm this payment on its own page. It opens in a new tab; come back here when you are done.")
    },
    redirect_continue: |op| format!("Continue to {op}"),
    redirect_waiting: "Waiting for you to finish on the operator's page…",

    success_title: "Payment successful",
    success_body: |amount, op, phone| format!("{amount} paid with {op} from {phone}."),
    done: "Done",

    failed_title: "Payment failed",
    expired_title: "Payment expired",
    expired_body:
        "The prompt expired before it was approved. If your balance went down, contact the shop.",
    failure: |r| match r {
        FailureReason::WrongPin => "The PIN entered was wrong. No money was taken.",
        FailureReason::InsufficientFunds => {
            "There is not enough money in this mobile money account."
        }
        FailureReason::TimedOut => "The prompt on your phone timed out before it was approved.",
        FailureReason::Cancelled => "The payment was declined on the phone.",
        FailureReason::LimitReached => "This payment is above your mobile money account's limit.",
        FailureReason::NotRegistered => "This number has no mobile money account.",
        FailureReason::Declined => "Your mobile money operator declined the payment.",
        FailureReason::ProviderError => {
            "The mobile money service had a problem. No money was taken."
        }
    },
    try_again: "Try again",
    close: "Close",

    network_error: "We could not reach Lipa. Check your connection and try again.",
    unexpected_answer: "Lipa answered something unexpected. Please try again.",
    refusal: |code| {
        Some(match code {
            "payment_in_progress" => {
                "A payment is already waiting for approval on this checkout. Check your phone."
            }
            "checkout_closed" => "This checkout is already paid or can no longer be paid.",
            "too_many_prompts" => {
                "Too many payment prompts were sent just now. Please wait a few minutes and try again."
            }
            "provider_unavailable" => {
                "The mobile money service is not answering right now. Please try again."
            }
            "provider_refused" => "The mobile money service refused this payment.",
            "otp_incorrect" => "That code is not right. Check the SMS and try again.",
            "otp_attempts_exhausted" => "Too many wrong codes. Start the payment again.",
            "not_awaiting_otp" => "This payment is not waiting for a code any more.",
            "not_found" => "This checkout could not be found. Open it again from the shop.",
            "invalid_field" => "Check the details and try again.",
            "internal" => "Something failed on our side. Check your phone before you try again.",
            _ => return None,
        })
    },
    something_wrong: "Something went wrong. Please try again.",
    link_expired_title: "This payment link has expired",
    link_expired_body: |at| {
        format!("It could be used until {at}. Ask the shop for a new payment link.")
    },
    cancel_return: |shop| format!("Cancel and return to {shop}"),
    return_to: |shop| format!("Return to {shop}"),
    qr_title: "Pay on your phone",
    qr_body: "On a computer? Scan this code with the phone that will get the payment prompt.",
    qr_alt: "QR code of this payment page",
    refresh: "Check again",
    stop_refresh: "Stop refreshing",
    verify: &VERIFY,
};

/// The phone-verification screen in English.
const VERIFY: VerifyText = VerifyText {
    title: "Confirm your number",
    sent: |phone| {
        format!("We sent a 6-digit code by SMS to {phone}. Enter it to continue to the payment.")
    },
    label: "Code from the SMS",
    format: "The code is the 6 digits in the SMS.",
    submit: "Confirm number",
    resend: "Send a new code",
    resent: "A new code is on its way.",
    wrong: |n| {
        if n == 1 {
            "That code is not right. 1 attempt left.".to_string()
        } else {
            format!("That code is not right. {n} attempts left.")
        }
    },
    exhausted: "Too many wrong codes. Send a new code.",
    expired: "This code has expired. Send a new code.",
    too_many:
        "Too many codes were sent to this number. Please wait a few minutes or use another number.",
    not_verified: "Confirm this number with the code we send by SMS first.",
};
