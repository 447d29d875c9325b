//! What a customer can do when a payment prompt never reaches their phone: per operator and
//! country, the USSD code that lists payments waiting for approval. Only codes with a
//! published source named beside them are here; where none is known there is no entry, and
//! the widget offers no code rather than a guess.

use crate::{Country, Operator};

/// Where an operator lets customers approve a pending payment from a USSD menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalMenu {
    /// The country.
    pub country: Country,
    /// The operator.
    pub operator: Operator,
    /// The code to dial, e.g. `*170#`.
    pub ussd: &'static str,
    /// The menu path after dialling, in the operator's own (English) menu words.
    pub path: &'static str,
    /// Where this is published.
    pub source: MenuSource,
}

/// Where an [`ApprovalMenu`] is published. The citations are text only tests and readers
/// need: an enum in each menu, so the widget's bundle, which never shows them, does not carry
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuSource {
    /// Hubtel's blog on MTN Ghana's approvals menu.
    HubtelMtnGhana,
    /// LigdiCash's API docs on MTN Côte d'Ivoire's direct pay-in.
    LigdiCashMtnCoteDIvoire,
}

impl MenuSource {
    /// The citation.
    pub fn citation(self) -> &'static str {
        match self {
            MenuSource::HubtelMtnGhana => "Hubtel, \"How The New MTN Payment Approval Works\" (blog.hubtel.com, 2018-06-13): dial *170#, My Wallet, My Approvals, enter PIN, select the pending transaction",
            MenuSource::LigdiCashMtnCoteDIvoire => "LigdiCash API docs, \"MTN Côte d'Ivoire\" direct pay-in (ligdicash.mintlify.app): MTN's SMS asks the customer to dial *133# and choose the withdrawal option to approve",
        }
    }
}

/// Every menu Lipa knows, each with its source.
pub const APPROVAL_MENUS: &[ApprovalMenu] = &[
    ApprovalMenu {
        country: Country::GH,
        operator: Operator::MtnMomo,
        ussd: "*170#",
        path: "10 My Wallet → 2 My Approvals",
        source: MenuSource::HubtelMtnGhana,
    },
    ApprovalMenu {
        country: Country::CI,
        operator: Operator::MtnMomo,
        ussd: "*133#",
        path: "retrait",
        source: MenuSource::LigdiCashMtnCoteDIvoire,
    },
];

/// The menu for `operator` in `country`, if one is known.
pub fn approval_menu(country: Country, operator: Operator) -> Option<&'static ApprovalMenu> {
    APPROVAL_MENUS
        .iter()
        .find(|m| m.country == country && m.operator == operator)
}

impl ApprovalMenu {
    /// A `tel:` link that dials the code (`#` escaped).
    pub fn tel_link(&self) -> String {
        format!("tel:{}", self.ussd.replace('#', "%23"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_menu_names_its_source_and_belongs_to_its_country() {
        for m in APPROVAL_MENUS {
            assert!(m.source.citation().len() > 20, "{m:?}");
            assert!(m.country.operators().contains(&m.operator), "{m:?}");
            assert!(m.ussd.starts_with('*') && m.ussd.ends_with('#'), "{m:?}");
        }
        assert_eq!(
            approval_menu(Country::GH, Operator::MtnMomo).map(ApprovalMenu::tel_link),
            Some("tel:*170%23".to_string())
        );
        assert_eq!(approval_menu(Country::KE, Operator::Mpesa), None);
    }
}
