//! Amounts as providers that take major units want them.

use lipa_api::Currency;

/// `minor` as a JSON number in major units: an integer when there is no fraction
/// (`150_000` KES cents → `1500`, `150_050` → `1500.5`).
pub fn major_units(minor: i64, currency: Currency) -> serde_json::Number {
    let scale = 10i64.pow(currency.exponent());
    if minor % scale == 0 {
        serde_json::Number::from(minor / scale)
    } else {
        serde_json::Number::from_f64(minor as f64 / scale as f64)
            .unwrap_or_else(|| serde_json::Number::from(minor / scale))
    }
}

/// A major-unit amount from a provider in minor units, rounded to the nearest minor unit;
/// `None` for a negative or non-finite amount.
pub fn minor_units(major: f64, currency: Currency) -> Option<i64> {
    let scaled = (major * 10f64.powi(currency.exponent() as i32)).round();
    (0.0..9.0e15).contains(&scaled).then_some(scaled as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_and_minor_round_trip() {
        assert_eq!(major_units(150_050, Currency::KES).to_string(), "1500.5");
        assert_eq!(major_units(150_000, Currency::KES).to_string(), "1500");
        assert_eq!(major_units(5_000, Currency::RWF).to_string(), "5000");
        assert_eq!(minor_units(1500.5, Currency::KES), Some(150_050));
        assert_eq!(minor_units(10.07, Currency::LRD), Some(1_007));
        assert_eq!(minor_units(5000.0, Currency::RWF), Some(5_000));
        assert_eq!(minor_units(-1.0, Currency::RWF), None);
        assert_eq!(minor_units(f64::NAN, Currency::RWF), None);
    }
}
