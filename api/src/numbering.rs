//! Which operator a mobile number belongs to, from its prefix: the widget predicts the
//! operator as the customer types (the customer can still choose another; numbers move between
//! networks with number portability, so a prediction is only a default).
//!
//! One row per prefix, in the national form without the trunk `0` (as [`NumberingPlan`]
//! writes prefixes), each with its source beside it. Only prefixes a source names are here:
//! a number whose prefix is not listed predicts nothing rather than a guess.
//!
//! [`NumberingPlan`]: crate::country::NumberingPlan

use crate::country::{Country, Operator};

/// One prefix of one country's mobile numbers, the operator it was assigned to, and where that
/// is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixRow {
    /// The country.
    pub country: Country,
    /// Leading digits of the national number, without the trunk `0`.
    pub prefix: &'static str,
    /// The mobile-money operator of the network the prefix was assigned to.
    pub operator: Operator,
    /// Where the assignment is published.
    pub source: Source,
}

/// Where a prefix's assignment is published. The citations are text only tests and readers
/// need: an enum in each row, so the widget's bundle, which never shows them, does not carry
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Communications Authority of Kenya's allocations to Airtel (0730–0739, 0750–0756,
    /// 0785–0789), as reported by Techweez, "Airtel Kenya new prefixes", 10 April 2019.
    KeAirtel07,
    /// Communications Authority of Kenya's 01 series (Safaricom 0110, 0111; Airtel 0100–0102),
    /// as reported by The Standard, "Kenyans to get new phone numbers as 07** runs out", 2019.
    Ke01,
    /// Safaricom's 07 ranges per the Communications Authority's report, as listed by Kachwanya,
    /// 19 February 2020 (070X, 071X, 072X, 074X, 0757–0759, 0768, 0769, 079X); of 074X only
    /// the codes also listed by shopinkenya.com's Safaricom prefix list (0740–0743, 0746, 0748).
    KeSafaricom07,
    /// Google libphonenumber's carrier data for +256 (resources/carrier/en/256.txt, commit
    /// df912bc): 70, 74, 75 Airtel; 76, 77, 78 MTN. MTN's 077 and 078 also per Daily Monitor,
    /// "MTN exhausts 077, 078 codes", 21 June 2021.
    UgLibphonenumber,
    /// Google libphonenumber's carrier data for +233 (resources/carrier/en/233.txt, commit
    /// 0201465): MTN 24, 54, 553–558, 59; Vodafone (now Telecel) 20, 50; Airtel 26, 56 and
    /// tiGO 27, 57 (merged as AirtelTigo, now AT).
    GhLibphonenumber,
    /// ARTCI's ten-digit national numbering plan (in force 31 January 2021): 01 Moov, 05 MTN,
    /// 07 Orange, as announced by ARTCI on 28 July 2020 and reported by newsgeek.ci.
    CiArtci,
    /// RURA's national numbering plan: 072, 073 Airtel; 078, 079 MTN (as summarised in
    /// "Telephone numbers in Rwanda", citing RURA).
    RwRura,
    /// Google libphonenumber's carrier data for +231 (resources/carrier/en/231.txt, commit
    /// 1e96d10): 77 Cellcom (Orange Liberia since Orange's acquisition of Cellcom, April 2016),
    /// 88 Lonestar Cell (MTN).
    LrLibphonenumber,
}

impl Source {
    /// The citation.
    pub fn citation(self) -> &'static str {
        match self {
            Source::KeAirtel07 => "CA Kenya allocations, via techweez.com/2019/04/10/airtel-kenya-new-prefixes/",
            Source::Ke01 => "CA Kenya 01 series, via standardmedia.co.ke/business/article/2001323442",
            Source::KeSafaricom07 => "CA Kenya report, via kachwanya.com/2020/02/19/safaricom-does-not-need-new-prefixes-to-add-2-million-subscribers-to-its-network/",
            Source::UgLibphonenumber => "libphonenumber resources/carrier/en/256.txt (df912bc); monitor.co.ug MTN 077/078",
            Source::GhLibphonenumber => "libphonenumber resources/carrier/en/233.txt (0201465)",
            Source::CiArtci => "ARTCI 10-digit plan, via newsgeek.ci/2020/07/28/telephonie-la-cote-divoire-bascule-a-10-chiffres-a-partir-du-31-janvier-2021",
            Source::RwRura => "RURA national numbering plan, via 'Telephone numbers in Rwanda' (probsee.com)",
            Source::LrLibphonenumber => "libphonenumber resources/carrier/en/231.txt (1e96d10); Cellcom is Orange Liberia since 2016",
        }
    }
}

/// The rows: every prefix a source names, by country.
pub const PREFIXES: &[PrefixRow] = {
    use Country::*;
    use Operator::*;
    use Source::*;
    const fn row(
        country: Country,
        prefix: &'static str,
        operator: Operator,
        source: Source,
    ) -> PrefixRow {
        PrefixRow {
            country,
            prefix,
            operator,
            source,
        }
    }
    &[
        // Kenya
        row(KE, "70", Mpesa, KeSafaricom07),
        row(KE, "71", Mpesa, KeSafaricom07),
        row(KE, "72", Mpesa, KeSafaricom07),
        row(KE, "740", Mpesa, KeSafaricom07),
        row(KE, "741", Mpesa, KeSafaricom07),
        row(KE, "742", Mpesa, KeSafaricom07),
        row(KE, "743", Mpesa, KeSafaricom07),
        row(KE, "746", Mpesa, KeSafaricom07),
        row(KE, "748", Mpesa, KeSafaricom07),
        row(KE, "757", Mpesa, KeSafaricom07),
        row(KE, "758", Mpesa, KeSafaricom07),
        row(KE, "759", Mpesa, KeSafaricom07),
        row(KE, "768", Mpesa, KeSafaricom07),
        row(KE, "769", Mpesa, KeSafaricom07),
        row(KE, "79", Mpesa, KeSafaricom07),
        row(KE, "110", Mpesa, Ke01),
        row(KE, "111", Mpesa, Ke01),
        row(KE, "73", AirtelMoney, KeAirtel07),
        row(KE, "750", AirtelMoney, KeAirtel07),
        row(KE, "751", AirtelMoney, KeAirtel07),
        row(KE, "752", AirtelMoney, KeAirtel07),
        row(KE, "753", AirtelMoney, KeAirtel07),
        row(KE, "754", AirtelMoney, KeAirtel07),
        row(KE, "755", AirtelMoney, KeAirtel07),
        row(KE, "756", AirtelMoney, KeAirtel07),
        row(KE, "785", AirtelMoney, KeAirtel07),
        row(KE, "786", AirtelMoney, KeAirtel07),
        row(KE, "787", AirtelMoney, KeAirtel07),
        row(KE, "788", AirtelMoney, KeAirtel07),
        row(KE, "789", AirtelMoney, KeAirtel07),
        row(KE, "100", AirtelMoney, Ke01),
        row(KE, "101", AirtelMoney, Ke01),
        row(KE, "102", AirtelMoney, Ke01),
        // Uganda
        row(UG, "70", AirtelMoney, UgLibphonenumber),
        row(UG, "74", AirtelMoney, UgLibphonenumber),
        row(UG, "75", AirtelMoney, UgLibphonenumber),
        row(UG, "76", MtnMomo, UgLibphonenumber),
        row(UG, "77", MtnMomo, UgLibphonenumber),
        row(UG, "78", MtnMomo, UgLibphonenumber),
        // Ghana
        row(GH, "24", MtnMomo, GhLibphonenumber),
        row(GH, "54", MtnMomo, GhLibphonenumber),
        row(GH, "553", MtnMomo, GhLibphonenumber),
        row(GH, "554", MtnMomo, GhLibphonenumber),
        row(GH, "555", MtnMomo, GhLibphonenumber),
        row(GH, "556", MtnMomo, GhLibphonenumber),
        row(GH, "557", MtnMomo, GhLibphonenumber),
        row(GH, "558", MtnMomo, GhLibphonenumber),
        row(GH, "59", MtnMomo, GhLibphonenumber),
        row(GH, "20", TelecelCash, GhLibphonenumber),
        row(GH, "50", TelecelCash, GhLibphonenumber),
        row(GH, "26", AtMoney, GhLibphonenumber),
        row(GH, "56", AtMoney, GhLibphonenumber),
        row(GH, "27", AtMoney, GhLibphonenumber),
        row(GH, "57", AtMoney, GhLibphonenumber),
        // Côte d'Ivoire (Wave works with any network's number: no prefix of its own)
        row(CI, "01", MoovMoney, CiArtci),
        row(CI, "05", MtnMomo, CiArtci),
        row(CI, "07", OrangeMoney, CiArtci),
        // Rwanda
        row(RW, "72", AirtelMoney, RwRura),
        row(RW, "73", AirtelMoney, RwRura),
        row(RW, "78", MtnMomo, RwRura),
        row(RW, "79", MtnMomo, RwRura),
        // Liberia
        row(LR, "77", OrangeMoney, LrLibphonenumber),
        row(LR, "88", MtnMomo, LrLibphonenumber),
    ]
};

/// The national digits typed so far, for a number being typed in `country`'s form: spaces and
/// punctuation dropped; `+` and the dialling code, the dialling code of a number typed whole
/// without `+`, or the trunk `0` removed. `None` when what is typed cannot be such a number.
fn national_so_far(country: Country, typed: &str) -> Option<String> {
    let plan = country.numbering();
    let typed = typed.trim();
    let (plus, rest) = match typed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, typed),
    };
    let mut digits = String::with_capacity(rest.len());
    for ch in rest.chars() {
        match ch {
            '0'..='9' => digits.push(ch),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let trunk_zero = !plan.mobile_prefixes.iter().any(|p| p.starts_with('0'));
    // With `+`, or longer than a national number with its trunk zero: the dialling code leads.
    let national = if plus || digits.len() > plan.national_len + 1 {
        digits.strip_prefix(plan.dialling_code)?
    } else if trunk_zero {
        digits.strip_prefix('0').unwrap_or(&digits)
    } else {
        &digits
    };
    Some(national.to_string())
}

/// The operator a number being typed in `country` belongs to, by its prefix; `None` while too
/// little is typed to tell, or when no source assigns the prefix.
pub fn predict(country: Country, typed: &str) -> Option<Operator> {
    let national = national_so_far(country, typed)?;
    PREFIXES
        .iter()
        .find(|row| row.country == country && national.starts_with(row.prefix))
        .map(|row| row.operator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_prefix_of_a_country_overlaps_another() {
        for (i, a) in PREFIXES.iter().enumerate() {
            for (j, b) in PREFIXES.iter().enumerate() {
                if i != j && a.country == b.country {
                    assert!(
                        !a.prefix.starts_with(b.prefix),
                        "{:?}: {} overlaps {}",
                        a.country,
                        a.prefix,
                        b.prefix
                    );
                }
            }
        }
    }

    #[test]
    fn every_row_is_a_mobile_prefix_of_an_operator_of_its_country_with_a_source() {
        for row in PREFIXES {
            let plan = row.country.numbering();
            assert!(
                row.country.operators().contains(&row.operator),
                "{row:?}: not an operator of the country"
            );
            assert!(row.prefix.bytes().all(|b| b.is_ascii_digit()), "{row:?}");
            assert!(row.prefix.len() < plan.national_len, "{row:?}");
            assert!(
                plan.mobile_prefixes
                    .iter()
                    .any(|p| row.prefix.starts_with(p) || p.starts_with(row.prefix)),
                "{row:?}: not a mobile prefix of the country"
            );
            assert!(
                !row.source.citation().trim().is_empty(),
                "{row:?}: no source"
            );
        }
    }

    #[test]
    fn predicts_as_the_number_is_typed() {
        use Country::*;
        assert_eq!(predict(KE, "0"), None);
        assert_eq!(predict(KE, "07"), None);
        assert_eq!(predict(KE, "071"), Some(Operator::Mpesa));
        assert_eq!(predict(KE, "0733 000 001"), Some(Operator::AirtelMoney));
        assert_eq!(predict(KE, "+254 110 000 000"), Some(Operator::Mpesa));
        assert_eq!(predict(KE, "254101000000"), Some(Operator::AirtelMoney));
        assert_eq!(predict(KE, "0744"), None, "no source for 0744");
        assert_eq!(predict(KE, "+256 70"), None, "another country's code");
        assert_eq!(predict(KE, "07a"), None);
        assert_eq!(predict(UG, "0752 000 001"), Some(Operator::AirtelMoney));
        assert_eq!(
            predict(UG, "0712 000 001"),
            None,
            "UTL: no mobile money here"
        );
        assert_eq!(predict(GH, "020"), Some(Operator::TelecelCash));
        assert_eq!(predict(GH, "0551"), None, "no source for 0551");
        assert_eq!(predict(GH, "0557"), Some(Operator::MtnMomo));
        assert_eq!(predict(CI, "07 00"), Some(Operator::OrangeMoney));
        assert_eq!(predict(CI, "+225 01"), Some(Operator::MoovMoney));
        assert_eq!(predict(CI, "0"), None);
        assert_eq!(predict(RW, "0788"), Some(Operator::MtnMomo));
        assert_eq!(predict(LR, "0886"), Some(Operator::MtnMomo));
        assert_eq!(predict(LR, "0770"), Some(Operator::OrangeMoney));
    }
}
