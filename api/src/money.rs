//! Currencies, their minor-unit exponents and how amounts are shown to people.

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency Lipa accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Kenyan shilling.
    KES,
    /// Ugandan shilling (no minor unit).
    UGX,
    /// Ghanaian cedi.
    GHS,
    /// West African CFA franc (no minor unit).
    XOF,
    /// Rwandan franc (no minor unit).
    RWF,
    /// Liberian dollar.
    LRD,
}

/// The largest amount, in minor units, Lipa accepts for one payment.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;

impl Currency {
    /// Parses an ISO 4217 code (upper case only, as ISO writes it).
    pub fn from_code(code: &str) -> Option<Currency> {
        [
            Currency::KES,
            Currency::UGX,
            Currency::GHS,
            Currency::XOF,
            Currency::RWF,
            Currency::LRD,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }

    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::KES => "KES",
            Currency::UGX => "UGX",
            Currency::GHS => "GHS",
            Currency::XOF => "XOF",
            Currency::RWF => "RWF",
            Currency::LRD => "LRD",
        }
    }

    /// Digits after the decimal point (ISO 4217 exponent).
    pub fn exponent(self) -> u32 {
        match self {
            Currency::KES | Currency::GHS | Currency::LRD => 2,
            Currency::UGX | Currency::XOF | Currency::RWF => 0,
        }
    }
}

/// Formats an amount in minor units for people: `format_amount(150000, KES)` is
/// `"KES 1,500.00"`, `format_amount(5000, UGX)` is `"UGX 5,000"`.
pub fn format_amount(minor: i64, currency: Currency) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    let scale = 10u64.pow(currency.exponent());
    let major = group_thousands(minor / scale);
    match currency.exponent() {
        0 => format!("{} {sign}{major}", currency.code()),
        e => format!(
            "{} {sign}{major}.{:0width$}",
            currency.code(),
            minor % scale,
            width = e as usize
        ),
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_and_without_minor_units() {
        assert_eq!(format_amount(150_000, Currency::KES), "KES 1,500.00");
        assert_eq!(format_amount(5_000, Currency::UGX), "UGX 5,000");
        assert_eq!(format_amount(5_000, Currency::GHS), "GHS 50.00");
        assert_eq!(format_amount(1, Currency::KES), "KES 0.01");
        assert_eq!(format_amount(123_456_789, Currency::XOF), "XOF 123,456,789");
        assert_eq!(format_amount(0, Currency::RWF), "RWF 0");
    }

    #[test]
    fn parses_only_known_upper_case_codes() {
        assert_eq!(Currency::from_code("KES"), Some(Currency::KES));
        assert_eq!(Currency::from_code("kes"), None);
        assert_eq!(Currency::from_code("USD"), None);
    }
}
