//! Countries Lipa serves, their numbering plans and their mobile-money operators.

use serde::{Deserialize, Serialize};

use crate::money::Currency;

/// A country Lipa takes payments in, by ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Country {
    /// Kenya.
    KE,
    /// Uganda.
    UG,
    /// Ghana.
    GH,
    /// Côte d'Ivoire.
    CI,
    /// Rwanda.
    RW,
    /// Liberia.
    LR,
}

/// How a country's mobile numbers are written after the dialling code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberingPlan {
    /// Dialling code without `+`, e.g. `"254"`.
    pub dialling_code: &'static str,
    /// Digits in a national mobile number without the trunk prefix `0`.
    pub national_len: usize,
    /// Leading digits a mobile number may start with.
    pub mobile_prefixes: &'static [&'static str],
}

impl Country {
    /// Every supported country.
    pub const ALL: [Country; 6] = [
        Country::KE,
        Country::UG,
        Country::GH,
        Country::CI,
        Country::RW,
        Country::LR,
    ];

    /// Parses an ISO 3166-1 alpha-2 code (case-insensitive).
    pub fn from_alpha2(code: &str) -> Option<Country> {
        Country::ALL
            .into_iter()
            .find(|c| c.alpha2().eq_ignore_ascii_case(code))
    }

    /// ISO 3166-1 alpha-2 code.
    pub fn alpha2(self) -> &'static str {
        match self {
            Country::KE => "KE",
            Country::UG => "UG",
            Country::GH => "GH",
            Country::CI => "CI",
            Country::RW => "RW",
            Country::LR => "LR",
        }
    }

    /// ISO 3166-1 alpha-3 code (what CrissCross calls `location`).
    pub fn alpha3(self) -> &'static str {
        match self {
            Country::KE => "KEN",
            Country::UG => "UGA",
            Country::GH => "GHA",
            Country::CI => "CIV",
            Country::RW => "RWA",
            Country::LR => "LBR",
        }
    }

    /// The country's name in English.
    pub fn name(self) -> &'static str {
        match self {
            Country::KE => "Kenya",
            Country::UG => "Uganda",
            Country::GH => "Ghana",
            Country::CI => "Côte d'Ivoire",
            Country::RW => "Rwanda",
            Country::LR => "Liberia",
        }
    }

    /// The currency mobile money is paid in.
    pub fn currency(self) -> Currency {
        match self {
            Country::KE => Currency::KES,
            Country::UG => Currency::UGX,
            Country::GH => Currency::GHS,
            Country::CI => Currency::XOF,
            Country::RW => Currency::RWF,
            Country::LR => Currency::LRD,
        }
    }

    /// The numbering plan of mobile numbers.
    pub fn numbering(self) -> NumberingPlan {
        match self {
            Country::KE => NumberingPlan {
                dialling_code: "254",
                national_len: 9,
                mobile_prefixes: &["7", "1"],
            },
            Country::UG => NumberingPlan {
                dialling_code: "256",
                national_len: 9,
                mobile_prefixes: &["7"],
            },
            Country::GH => NumberingPlan {
                dialling_code: "233",
                national_len: 9,
                mobile_prefixes: &["2", "5"],
            },
            Country::CI => NumberingPlan {
                dialling_code: "225",
                national_len: 10,
                mobile_prefixes: &["01", "05", "07"],
            },
            Country::RW => NumberingPlan {
                dialling_code: "250",
                national_len: 9,
                mobile_prefixes: &["7"],
            },
            Country::LR => NumberingPlan {
                dialling_code: "231",
                national_len: 9,
                mobile_prefixes: &["77", "88"],
            },
        }
    }

    /// The mobile-money operators people in this country pay with.
    pub fn operators(self) -> &'static [Operator] {
        match self {
            Country::KE => &[Operator::Mpesa, Operator::AirtelMoney],
            Country::UG => &[Operator::MtnMomo, Operator::AirtelMoney],
            Country::GH => &[Operator::MtnMomo, Operator::TelecelCash, Operator::AtMoney],
            Country::CI => &[
                Operator::MtnMomo,
                Operator::OrangeMoney,
                Operator::MoovMoney,
                Operator::Wave,
            ],
            Country::RW => &[Operator::MtnMomo, Operator::AirtelMoney],
            Country::LR => &[Operator::MtnMomo, Operator::OrangeMoney],
        }
    }
}

/// A mobile-money operator, named the way customers know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// Safaricom M-Pesa.
    Mpesa,
    /// Airtel Money.
    AirtelMoney,
    /// MTN Mobile Money (MoMo).
    MtnMomo,
    /// Orange Money.
    OrangeMoney,
    /// Moov Money.
    MoovMoney,
    /// Wave.
    Wave,
    /// Telecel Cash (formerly Vodafone Cash).
    TelecelCash,
    /// AT Money (formerly AirtelTigo Money).
    AtMoney,
}

impl Operator {
    /// The operator's stable id in Lipa's API, e.g. `"mpesa"`.
    pub fn id(self) -> &'static str {
        match self {
            Operator::Mpesa => "mpesa",
            Operator::AirtelMoney => "airtel_money",
            Operator::MtnMomo => "mtn_momo",
            Operator::OrangeMoney => "orange_money",
            Operator::MoovMoney => "moov_money",
            Operator::Wave => "wave",
            Operator::TelecelCash => "telecel_cash",
            Operator::AtMoney => "at_money",
        }
    }

    /// Every operator Lipa knows.
    pub const ALL: [Operator; 8] = [
        Operator::Mpesa,
        Operator::AirtelMoney,
        Operator::MtnMomo,
        Operator::OrangeMoney,
        Operator::MoovMoney,
        Operator::Wave,
        Operator::TelecelCash,
        Operator::AtMoney,
    ];

    /// Parses an operator id as returned by [`Operator::id`].
    pub fn from_id(id: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|o| o.id() == id)
    }

    /// The name customers know, e.g. `"M-Pesa"`.
    pub fn name(self) -> &'static str {
        match self {
            Operator::Mpesa => "M-Pesa",
            Operator::AirtelMoney => "Airtel Money",
            Operator::MtnMomo => "MTN MoMo",
            Operator::OrangeMoney => "Orange Money",
            Operator::MoovMoney => "Moov Money",
            Operator::Wave => "Wave",
            Operator::TelecelCash => "Telecel Cash",
            Operator::AtMoney => "AT Money",
        }
    }

    /// What the customer types on the handset to approve, e.g. `"M-Pesa PIN"`.
    pub fn pin_name(self) -> &'static str {
        match self {
            Operator::Mpesa => "M-Pesa PIN",
            Operator::MtnMomo => "MoMo PIN",
            Operator::AirtelMoney
            | Operator::OrangeMoney
            | Operator::MoovMoney
            | Operator::Wave
            | Operator::TelecelCash
            | Operator::AtMoney => "PIN",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha2_parses_case_insensitively_and_refuses_unknown() {
        assert_eq!(Country::from_alpha2("ke"), Some(Country::KE));
        assert_eq!(Country::from_alpha2("CI"), Some(Country::CI));
        assert_eq!(Country::from_alpha2("US"), None);
        assert_eq!(Country::from_alpha2(""), None);
    }

    #[test]
    fn operator_ids_round_trip() {
        for country in Country::ALL {
            for op in country.operators() {
                assert_eq!(Operator::from_id(op.id()), Some(*op));
            }
        }
        assert_eq!(Operator::from_id("mtn"), None);
    }
}
