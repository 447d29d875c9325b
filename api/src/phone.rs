//! Mobile numbers: parsing what a person typed into an E.164 number of one country.

use serde::{Deserialize, Serialize};

use crate::country::Country;

/// A valid mobile number of one country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Msisdn {
    /// The country whose numbering plan it fits.
    pub country: Country,
    /// The national significant number: digits only, no trunk `0`.
    pub national: String,
}

/// Why a typed number is not a mobile number of the country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Nothing was typed.
    Empty,
    /// Something other than digits, spaces, dashes, dots, brackets or a leading `+`.
    InvalidCharacters,
    /// The number carries another country's dialling code.
    WrongCountry,
    /// Too few or too many digits; holds the expected national length.
    WrongLength(usize),
    /// Not a mobile prefix of the country.
    NotMobile,
}

impl PhoneError {
    /// A sentence for the customer naming what is wrong.
    pub fn message(self, country: Country) -> String {
        let plan = country.numbering();
        match self {
            PhoneError::Empty => "Enter your mobile money number.".to_string(),
            PhoneError::InvalidCharacters => "Use digits only in the phone number.".to_string(),
            PhoneError::WrongCountry => format!(
                "This number is not from {}: it should start with +{}.",
                country.name(),
                plan.dialling_code
            ),
            PhoneError::WrongLength(n) => format!(
                "A {} mobile number has {n} digits after +{} (or {} starting with 0).",
                country.name(),
                plan.dialling_code,
                n + 1
            ),
            PhoneError::NotMobile => format!(
                "This is not a {} mobile number: after +{} it should start with {}.",
                country.name(),
                plan.dialling_code,
                plan.mobile_prefixes.join(" or ")
            ),
        }
    }
}

impl Msisdn {
    /// Parses a number as a person types it: `0712 000 001`, `712000001`, `+254712000001`
    /// or `254 712 000 001` are the same Kenyan number.
    pub fn parse(country: Country, input: &str) -> Result<Msisdn, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(rest.len());
        for ch in rest.chars() {
            match ch {
                '0'..='9' => digits.push(ch),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(PhoneError::InvalidCharacters),
            }
        }
        let plan = country.numbering();
        let national = if plus {
            digits
                .strip_prefix(plan.dialling_code)
                .ok_or(PhoneError::WrongCountry)?
                .to_string()
        } else if digits.len() == plan.national_len + plan.dialling_code.len() {
            // (`strip_prefix` rather than slicing: no char-boundary panic path in the widget.)
            match digits.strip_prefix(plan.dialling_code) {
                Some(national) => national.to_string(),
                None => digits,
            }
        } else if digits.len() == plan.national_len + 1 {
            match digits.strip_prefix('0') {
                Some(national) => national.to_string(),
                None => digits,
            }
        } else {
            digits
        };
        if national.len() != plan.national_len {
            return Err(PhoneError::WrongLength(plan.national_len));
        }
        if !plan.mobile_prefixes.iter().any(|p| national.starts_with(p)) {
            return Err(PhoneError::NotMobile);
        }
        Ok(Msisdn { country, national })
    }

    /// E.164 with the plus: `+254712000001`.
    pub fn e164(&self) -> String {
        format!(
            "+{}{}",
            self.country.numbering().dialling_code,
            self.national
        )
    }

    /// The national form with the trunk zero: `0712000001`.
    pub fn local(&self) -> String {
        format!("0{}", self.national)
    }

    /// What the pending screen shows: `+254 ••• ••• 001` (only the last three digits).
    pub fn masked(&self) -> String {
        mask(self.country.numbering().dialling_code, &self.national)
    }
}

/// An example national number for the phone field's hint, e.g. "0712 345 678" for Kenya
/// (the widget and the hosted page show the same one).
pub fn example_national(country: Country) -> String {
    let plan = country.numbering();
    let prefix = plan.mobile_prefixes.first().copied().unwrap_or("7");
    let mut digits: String = prefix
        .chars()
        .chain("12345678901234".chars())
        .take(plan.national_len)
        .collect();
    if !prefix.starts_with('0') {
        digits.insert(0, '0');
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i == 4 || i == 7 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Masks a national number, keeping its last three digits: `mask("254", "712000001")` is
/// `"+254 ••• ••• 001"`.
pub fn mask(dialling_code: &str, national: &str) -> String {
    let keep = national.len().min(3);
    let hidden = national.len() - keep;
    let first = hidden.min(3);
    let mut out = format!("+{dialling_code} ");
    out.push_str(&"•".repeat(first));
    if hidden > first {
        out.push(' ');
        out.push_str(&"•".repeat(hidden - first));
    }
    out.push(' ');
    out.push_str(national.get(national.len() - keep..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_ways_people_write_a_kenyan_number() {
        for input in [
            "0712 000 001",
            "712000001",
            "+254712000001",
            "254 712 000 001",
            "+254 (712) 000-001",
        ] {
            let n = Msisdn::parse(Country::KE, input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(n.e164(), "+254712000001", "{input}");
        }
    }

    #[test]
    fn refuses_what_does_not_fit_the_country() {
        assert_eq!(Msisdn::parse(Country::KE, "  "), Err(PhoneError::Empty));
        assert_eq!(
            Msisdn::parse(Country::KE, "0712 00a 001"),
            Err(PhoneError::InvalidCharacters)
        );
        assert_eq!(
            Msisdn::parse(Country::KE, "+256712000001"),
            Err(PhoneError::WrongCountry)
        );
        assert_eq!(
            Msisdn::parse(Country::KE, "07120001"),
            Err(PhoneError::WrongLength(9))
        );
        assert_eq!(
            Msisdn::parse(Country::KE, "0512000001"),
            Err(PhoneError::NotMobile)
        );
        assert_eq!(
            Msisdn::parse(Country::CI, "0712000001").map(|n| n.e164()),
            Ok("+2250712000001".to_string())
        );
    }

    #[test]
    fn masks_all_but_the_last_three_digits() {
        let ke = Msisdn::parse(Country::KE, "0712000001").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ke.masked(), "+254 ••• ••• 001");
        assert_eq!(mask("225", "0712345567"), "+225 ••• •••• 567");
    }

    #[test]
    fn errors_name_the_rule() {
        assert!(PhoneError::WrongLength(9)
            .message(Country::KE)
            .contains("9 digits after +254"));
        assert!(PhoneError::NotMobile
            .message(Country::KE)
            .contains("7 or 1"));
    }
}
