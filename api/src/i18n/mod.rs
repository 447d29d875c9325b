//! Every word the widget and the hosted page (the edge's no-script checkout at `pay_url`)
//! show, in English, French and Swahili: one [`Text`] per language,
//! each a `const` struct literal, so a language missing a sentence does not compile. Which
//! language: the one the merchant asked for (`Lipa.open({ locale })`, `data-locale`), else the
//! first of the customer's browser languages Lipa speaks, else English.
//!
//! Errors from the edge are shown from their *code*, never the edge's English text.

mod en;
mod fr;
mod sw;

use crate::phone::PhoneError;
use crate::{Country, Currency, FailureReason};

/// The widget's own error code: the edge could not be reached.
pub const NETWORK: &str = "network";
/// The widget's own error code: the edge's answer could not be read.
pub const UNEXPECTED: &str = "unexpected";

/// A language the widget speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
    /// Swahili.
    Sw,
}

impl Locale {
    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
            Locale::Sw => "sw",
        }
    }

    /// The language a tag names (`fr`, `fr-CI`, `SW_ke`), if Lipa speaks it.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "fr" => Some(Locale::Fr),
            "sw" => Some(Locale::Sw),
            _ => None,
        }
    }

    /// The merchant's choice when it names a language Lipa speaks, else the first of the
    /// browser's languages that Lipa speaks, else English.
    pub fn choose(asked: Option<&str>, browser: &[String]) -> Locale {
        asked
            .and_then(Locale::from_tag)
            .or_else(|| browser.iter().find_map(|t| Locale::from_tag(t)))
            .unwrap_or_default()
    }

    /// The words of this language.
    pub fn text(self) -> &'static Text {
        match self {
            Locale::En => &en::TEXT,
            Locale::Fr => &fr::TEXT,
            Locale::Sw => &sw::TEXT,
        }
    }
}

/// How a language writes an amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneyStyle {
    /// Between groups of three digits.
    pub group: &'static str,
    /// Before the minor units.
    pub decimal: char,
    /// The currency code after the number (`1 500,00 KES`) rather than before.
    pub code_after: bool,
}

/// Every sentence of every screen in one language.
pub struct Text {
    /// How amounts are written.
    pub money: MoneyStyle,
    /// A country's name.
    pub country: fn(Country) -> &'static str,

    /// While the checkout loads.
    pub loading: &'static str,
    /// The link lacks its secret.
    pub link_incomplete_title: &'static str,
    /// What to do about it.
    pub link_incomplete_body: &'static str,
    /// The checkout could not be read.
    pub unavailable_title: &'static str,

    /// "Pay KES 1,500.00" (heading and button).
    pub pay: fn(&str) -> String,
    /// The operator picker's legend.
    pub choose_operator: &'static str,
    /// No operator chosen.
    pub choose_operator_error: &'static str,
    /// The phone field's label.
    pub phone_label: &'static str,
    /// "For example 0712 345 678".
    pub phone_example: fn(&str) -> String,
    /// The merchant fixed the number.
    pub phone_locked: &'static str,
    /// "Includes a KES 25.00 mobile-money fee".
    pub fee_included: fn(&str) -> String,
    /// Under the Pay button.
    pub secured: &'static str,

    /// The number is empty.
    pub phone_empty: &'static str,
    /// Not digits.
    pub phone_characters: &'static str,
    /// Another country's number: (country, dialling code).
    pub phone_wrong_country: fn(&str, &str) -> String,
    /// Wrong length: (country, digits after the code, dialling code).
    pub phone_wrong_length: fn(&str, usize, &str) -> String,
    /// Not a mobile number: (country, dialling code, prefixes).
    pub phone_not_mobile: fn(&str, &str, &str) -> String,
    /// Joins the prefixes a mobile number may start with ("7 or 1").
    pub or: &'static str,

    /// The pending screen's heading.
    pub pending_title: &'static str,
    /// "We've sent an M-Pesa prompt to" (the masked number follows).
    pub prompt_sent: fn(&str) -> String,
    /// After the number.
    pub enter_pin: &'static str,
    /// "Waiting for approval · 0:42".
    pub waiting: fn(u64, u64) -> String,
    /// Once the approval window is over.
    pub no_prompt: &'static str,
    /// Start again with another number.
    pub use_another_number: &'static str,
    /// "The prompt stays valid for 2:41".
    pub prompt_valid: fn(u64, u64) -> String,
    /// The customer says they approved.
    pub approved: &'static str,
    /// The provider has not confirmed it yet.
    pub not_confirmed: &'static str,
    /// Send the same payment to the same number again.
    pub send_again: &'static str,
    /// Before the USSD code: what to do with it (the operator's menu path).
    pub ussd_help: fn(&str) -> String,
    /// Close the widget while waiting.
    pub cancel: &'static str,

    /// "Enter the code sent to 07•• ••• 678".
    pub otp_title: fn(&str) -> String,
    /// "M-Pesa sent you a one-time code by SMS…".
    pub otp_body: fn(&str) -> String,
    /// The code field's label.
    pub otp_label: &'static str,
    /// Not 4 to 8 digits.
    pub otp_format: &'static str,
    /// The submit button.
    pub otp_confirm: &'static str,
    /// A wrong code, with how many tries are left.
    pub otp_wrong: fn(u32) -> String,

    /// "Finish on the M-Pesa page".
    pub redirect_title: fn(&str) -> String,
    /// Why, and what happens.
    pub redirect_body: fn(&str) -> String,
    /// "Continue to M-Pesa".
    pub redirect_continue: fn(&str) -> String,
    /// While the customer is on the operator's page.
    pub redirect_waiting: &'static str,

    /// The success heading.
    pub success_title: &'static str,
    /// (amount, operator, masked number).
    pub success_body: fn(&str, &str, &str) -> String,
    /// Close after success.
    pub done: &'static str,

    /// A failed payment's heading.
    pub failed_title: &'static str,
    /// An expired payment's heading.
    pub expired_title: &'static str,
    /// Why it expired.
    pub expired_body: &'static str,
    /// Why it failed.
    pub failure: fn(FailureReason) -> &'static str,
    /// Start again.
    pub try_again: &'static str,
    /// Close after a failure.
    pub close: &'static str,

    /// The edge could not be reached.
    pub network_error: &'static str,
    /// The edge answered something the widget cannot read.
    pub unexpected_answer: &'static str,
    /// A refusal, by its error code (`None`: the generic sentence).
    pub refusal: fn(&str) -> Option<&'static str>,
    /// Any other refusal.
    pub something_wrong: &'static str,

    /// The hosted page: a link whose checkout expired (nothing live on it).
    pub link_expired_title: &'static str,
    /// When it expired (a UTC time) and what to do.
    pub link_expired_body: fn(&str) -> String,
    /// The hosted page's way back to the merchant without paying: "Cancel and return to Duka".
    pub cancel_return: fn(&str) -> String,
    /// The hosted page's way back to the merchant after paying: "Return to Duka".
    pub return_to: fn(&str) -> String,
    /// The QR code's heading on a wide screen.
    pub qr_title: &'static str,
    /// What the QR code is for.
    pub qr_body: &'static str,
    /// The QR code image's text alternative.
    pub qr_alt: &'static str,
    /// The pending page refreshes itself; a link does the same at once.
    pub refresh: &'static str,
    /// A link that stops the pending page's automatic refresh (WCAG 2.2.1: timing the
    /// customer can turn off).
    pub stop_refresh: &'static str,
    /// The widget's phone-verification screen.
    pub verify: &'static VerifyText,
}

/// The phone-verification screen's sentences: a guest confirms the number with a code sent
/// by SMS before the payment prompt.
pub struct VerifyText {
    /// The heading.
    pub title: &'static str,
    /// "We sent a 6-digit code by SMS to +233 ••• ••• 001."
    pub sent: fn(&str) -> String,
    /// The code field's label.
    pub label: &'static str,
    /// The code is not 6 digits.
    pub format: &'static str,
    /// The submit button.
    pub submit: &'static str,
    /// Ask for another code.
    pub resend: &'static str,
    /// A new code was sent.
    pub resent: &'static str,
    /// A wrong code, with the tries left.
    pub wrong: fn(u32) -> String,
    /// No tries left on this code.
    pub exhausted: &'static str,
    /// The code expired (or none is live).
    pub expired: &'static str,
    /// Too many codes for this number or device.
    pub too_many: &'static str,
    /// The edge refused a payment from a number not verified yet.
    pub not_verified: &'static str,
}

impl VerifyText {
    /// The sentence for a refusal of the verification calls, by its error code.
    pub fn refusal(&self, code: &str) -> Option<&'static str> {
        Some(match code {
            "otp_attempts_exhausted" => self.exhausted,
            "not_awaiting_otp" => self.expired,
            "too_many_prompts" => self.too_many,
            "phone_not_verified" => self.not_verified,
            _ => return None,
        })
    }
}

impl Text {
    /// An amount in minor units, written the way this language writes money: XOF, UGX and
    /// RWF without decimals.
    pub fn amount(&self, minor: i64, currency: Currency) -> String {
        let style = self.money;
        let scale = 10u64.pow(currency.exponent());
        let abs = minor.unsigned_abs();
        let digits = (abs / scale).to_string();
        let mut number = String::new();
        if minor < 0 {
            number.push('-');
        }
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                number.push_str(style.group);
            }
            number.push(ch);
        }
        if currency.exponent() > 0 {
            number.push(style.decimal);
            let fraction = (abs % scale).to_string();
            for _ in fraction.len()..currency.exponent() as usize {
                number.push('0');
            }
            number.push_str(&fraction);
        }
        if style.code_after {
            format!("{number}\u{a0}{}", currency.code())
        } else {
            format!("{} {number}", currency.code())
        }
    }

    /// Why a typed number is not a valid mobile number of `country`.
    pub fn phone_error(&self, error: PhoneError, country: Country) -> String {
        let plan = country.numbering();
        let name = (self.country)(country);
        match error {
            PhoneError::Empty => self.phone_empty.to_string(),
            PhoneError::InvalidCharacters => self.phone_characters.to_string(),
            PhoneError::WrongCountry => (self.phone_wrong_country)(name, plan.dialling_code),
            PhoneError::WrongLength(n) => (self.phone_wrong_length)(name, n, plan.dialling_code),
            PhoneError::NotMobile => (self.phone_not_mobile)(
                name,
                plan.dialling_code,
                &joined(plan.mobile_prefixes, self.or),
            ),
        }
    }

    /// What to tell the customer about a refusal of a call that may verify the number (the
    /// verification calls, and a payment the edge refuses as `phone_not_verified`).
    pub fn verify_refusal_for(&self, code: &str) -> &'static str {
        self.verify
            .refusal(code)
            .unwrap_or_else(|| self.refusal_for(code))
    }

    /// What to tell the customer about a refusal with this error code (or the widget's own
    /// `network` and `unexpected`).
    pub fn refusal_for(&self, code: &str) -> &'static str {
        match code {
            NETWORK => self.network_error,
            UNEXPECTED => self.unexpected_answer,
            other => (self.refusal)(other).unwrap_or(self.something_wrong),
        }
    }
}

/// `items` with `separator` between them: `[T]::join`'s work in a plain loop, whose code is
/// a fraction of `join`'s (which the widget's bundle would carry only for this).
fn joined(items: &[&str], separator: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_puts_the_separator_between_items_only() {
        assert_eq!(joined(&["7", "1"], " or "), "7 or 1");
        assert_eq!(joined(&["7"], " or "), "7");
        assert_eq!(joined(&[], " or "), "");
    }

    const ALL: [Locale; 3] = [Locale::En, Locale::Fr, Locale::Sw];

    #[test]
    fn every_language_words_phone_verification() {
        for locale in ALL {
            let v = locale.text().verify;
            assert!((v.sent)("+233 ••• ••• 001").contains("+233 ••• ••• 001"));
            assert!((v.wrong)(2).contains('2'));
            for code in [
                "otp_attempts_exhausted",
                "not_awaiting_otp",
                "too_many_prompts",
                "phone_not_verified",
            ] {
                assert!(v.refusal(code).is_some(), "{locale:?} {code}");
            }
        }
    }

    #[test]
    fn the_merchant_chooses_else_the_browser_else_english() {
        let browser = vec!["de-DE".to_string(), "sw-KE".to_string(), "fr".to_string()];
        assert_eq!(Locale::choose(Some("fr"), &browser), Locale::Fr);
        assert_eq!(Locale::choose(None, &browser), Locale::Sw);
        assert_eq!(Locale::choose(Some("xx"), &browser), Locale::Sw);
        assert_eq!(Locale::choose(None, &["de".to_string()]), Locale::En);
        assert_eq!(Locale::from_tag("FR_ci"), Some(Locale::Fr));
    }

    #[test]
    fn money_is_written_as_each_language_writes_it() {
        let en = Locale::En.text();
        let fr = Locale::Fr.text();
        let sw = Locale::Sw.text();
        assert_eq!(en.amount(150_000, Currency::KES), "KES 1,500.00");
        assert_eq!(
            fr.amount(150_000, Currency::KES),
            "1\u{202f}500,00\u{a0}KES"
        );
        assert_eq!(sw.amount(150_000, Currency::KES), "KES 1,500.00");
        assert_eq!(en.amount(2_500_000, Currency::XOF), "XOF 2,500,000");
        assert_eq!(
            fr.amount(2_500_000, Currency::XOF),
            "2\u{202f}500\u{202f}000\u{a0}XOF"
        );
        assert_eq!(en.amount(7_000, Currency::UGX), "UGX 7,000");
        assert_eq!(en.amount(5, Currency::GHS), "GHS 0.05");
        assert_eq!(en.amount(-105, Currency::KES), "KES -1.05");
    }

    #[test]
    fn every_language_has_every_refusal_and_reason_in_its_own_words() {
        let codes = [
            "payment_in_progress",
            "checkout_closed",
            "too_many_prompts",
            "provider_unavailable",
            "provider_refused",
            "otp_incorrect",
            "otp_attempts_exhausted",
            "not_awaiting_otp",
            "not_found",
            "invalid_field",
            "internal",
        ];
        for locale in [Locale::Fr, Locale::Sw] {
            let t = locale.text();
            for code in codes {
                let said = (t.refusal)(code);
                assert!(said.is_some(), "{locale:?} {code}");
                assert_ne!(said, (Locale::En.text().refusal)(code), "{locale:?} {code}");
            }
            for r in FailureReason::ALL {
                assert_ne!((t.failure)(r), (Locale::En.text().failure)(r), "{locale:?}");
            }
        }
        for locale in ALL {
            assert_eq!(
                locale.text().refusal_for("no_such_code"),
                locale.text().something_wrong
            );
        }
    }

    #[test]
    fn phone_errors_name_the_country_in_the_language() {
        let fr = Locale::Fr.text();
        let said = fr.phone_error(PhoneError::WrongLength(9), Country::KE);
        assert!(said.contains("Kenya") && said.contains("+254"), "{said}");
        let sw = Locale::Sw.text();
        let said = sw.phone_error(PhoneError::NotMobile, Country::CI);
        assert!(
            said.contains("Côte d'Ivoire") && said.contains("+225"),
            "{said}"
        );
    }
}
