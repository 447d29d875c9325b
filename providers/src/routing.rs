//! Which provider takes a payment: a routing table from configuration.
//!
//! `ROUTES` is a comma-separated list of `COUNTRY[/operator]=provider[;verify_phone=on|off]`,
//! e.g. `UG=honeycoin, KE/airtel_money=honeycoin;verify_phone=on, KE=crisscross`. Entries are
//! tried in order and the first match wins; an entry without an operator is the country's
//! default. `verify_phone` makes a guest prove the number with a one-time code sent by SMS
//! before the first prompt (a number the merchant locked skips it); without it, the
//! provider's default applies ([`ProviderId::verifies_phone_by_default`]: on for Xtopay,
//! whose guide requires it). Every entry is
//! checked when the configuration is read: an unknown country, operator or provider, an
//! operator that is not the country's, or a provider that cannot take that operator stops the
//! edge with a message naming the entry.
//!
//! The parser lives here, not in the edge, so that `cargo xtask deploy` checks `ROUTES` with
//! the very code the edge runs.

use lipa_api::{Country, Operator};

use crate::ProviderId;

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The country.
    pub country: Country,
    /// The operator, or `None` for the country's default.
    pub operator: Option<Operator>,
    /// Where its payments go.
    pub provider: ProviderId,
    /// Whether a guest's number is verified by SMS before the first prompt.
    pub verify_phone: bool,
}

/// The ordered table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingTable {
    routes: Vec<Route>,
}

/// The table used when configuration gives none: every country's operators that CrissCross
/// offers go to CrissCross.
pub const DEFAULT_ROUTES: &str =
    "KE=crisscross, UG=crisscross, GH=crisscross, CI=crisscross, RW=crisscross, LR=crisscross";

impl RoutingTable {
    /// Parses and checks the table.
    pub fn parse(text: &str) -> Result<RoutingTable, String> {
        let mut routes = Vec::new();
        for (i, entry) in text.split(',').map(str::trim).enumerate() {
            if entry.is_empty() {
                continue;
            }
            let bad = |why: String| format!("routing entry {} {entry:?}: {why}", i + 1);
            let (left, target) = entry
                .split_once('=')
                .ok_or_else(|| bad("expected COUNTRY[/operator]=provider".into()))?;
            let mut options = target.split(';');
            let provider_name = options.next().unwrap_or_default().trim();
            let provider = ProviderId::from_name(provider_name).ok_or_else(|| {
                bad(format!(
                    "unknown provider {provider_name:?} (known: {})",
                    ProviderId::ALL.map(|p| p.name()).join(", ")
                ))
            })?;
            let mut verify_phone = provider.verifies_phone_by_default();
            for option in options.map(str::trim) {
                verify_phone = match option {
                    "verify_phone" | "verify_phone=on" => true,
                    "verify_phone=off" => false,
                    other => {
                        return Err(bad(format!(
                            "unknown option {other:?} (known: verify_phone=on, verify_phone=off)"
                        )))
                    }
                };
            }
            let (country_code, operator_id) = match left.trim().split_once('/') {
                Some((c, o)) => (c.trim(), Some(o.trim())),
                None => (left.trim(), None),
            };
            let country = Country::from_alpha2(country_code)
                .ok_or_else(|| bad(format!("unknown country {country_code:?}")))?;
            let operator = match operator_id {
                None => None,
                Some(id) => {
                    let op = Operator::from_id(id)
                        .ok_or_else(|| bad(format!("unknown operator {id:?}")))?;
                    if !country.operators().contains(&op) {
                        return Err(bad(format!(
                            "{} is not an operator in {}",
                            op.name(),
                            country.name()
                        )));
                    }
                    if !provider.supports(country, op) {
                        return Err(bad(format!(
                            "{} cannot take {} in {}",
                            provider.name(),
                            op.name(),
                            country.name()
                        )));
                    }
                    Some(op)
                }
            };
            routes.push(Route {
                country,
                operator,
                provider,
                verify_phone,
            });
        }
        if routes.is_empty() {
            return Err("the routing table is empty".into());
        }
        Ok(RoutingTable { routes })
    }

    /// The provider for a payment, if any entry matches and that provider takes the operator.
    pub fn provider_for(&self, country: Country, operator: Operator) -> Option<ProviderId> {
        self.route_for(country, operator).map(|r| r.provider)
    }

    /// The entry that takes a payment, if any matches and its provider takes the operator.
    pub fn route_for(&self, country: Country, operator: Operator) -> Option<&Route> {
        self.routes
            .iter()
            .find(|r| r.country == country && r.operator.is_none_or(|o| o == operator))
            .filter(|r| r.provider.supports(country, operator))
    }

    /// Whether a guest paying with `operator` in `country` must verify the number by SMS
    /// first (the matching entry's `verify_phone`; `false` when nothing routes it).
    pub fn verify_phone(&self, country: Country, operator: Operator) -> bool {
        self.route_for(country, operator)
            .is_some_and(|r| r.verify_phone)
    }

    /// Whether any entry verifies phones (the edge then needs an SMS gateway).
    pub fn any_verify_phone(&self) -> bool {
        self.routes.iter().any(|r| r.verify_phone)
    }

    /// Every provider the table names.
    pub fn providers(&self) -> impl Iterator<Item = ProviderId> + '_ {
        self.routes.iter().map(|r| r.provider)
    }

    /// Checks that every provider the table names is configured (`is_configured`), naming
    /// the first that is not and the setting that turns it on.
    pub fn check_configured(
        &self,
        is_configured: impl Fn(ProviderId) -> bool,
    ) -> Result<(), String> {
        match self.providers().find(|p| !is_configured(*p)) {
            None => Ok(()),
            Some(p) => Err(format!(
                "ROUTES sends payments to {} but {}_BASE_URL is not set",
                p.name(),
                p.name().to_ascii_uppercase()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_wins_and_country_defaults_apply() {
        let t =
            RoutingTable::parse("KE/airtel_money=honeycoin, UG=honeycoin, KE=crisscross").unwrap();
        assert_eq!(
            t.provider_for(Country::KE, Operator::AirtelMoney),
            Some(ProviderId::HoneyCoin)
        );
        assert_eq!(
            t.provider_for(Country::KE, Operator::Mpesa),
            Some(ProviderId::CrissCross)
        );
        assert_eq!(
            t.provider_for(Country::UG, Operator::MtnMomo),
            Some(ProviderId::HoneyCoin)
        );
        assert_eq!(t.provider_for(Country::CI, Operator::Wave), None);
    }

    #[test]
    fn a_default_only_covers_operators_its_provider_takes() {
        let t = RoutingTable::parse("GH=crisscross").unwrap();
        assert_eq!(
            t.provider_for(Country::GH, Operator::MtnMomo),
            Some(ProviderId::CrissCross)
        );
        assert_eq!(t.provider_for(Country::GH, Operator::TelecelCash), None);
    }

    #[test]
    fn bad_entries_are_named() {
        let cases = [
            (
                "KE=crisscross, UG=stripe",
                "routing entry 2 \"UG=stripe\": unknown provider \"stripe\"",
            ),
            ("XX=crisscross", "unknown country \"XX\""),
            ("KE/mtn=crisscross", "unknown operator \"mtn\""),
            ("KE/wave=crisscross", "Wave is not an operator in Kenya"),
            (
                "GH/telecel_cash=crisscross",
                "crisscross cannot take Telecel Cash in Ghana",
            ),
            ("KE crisscross", "expected COUNTRY[/operator]=provider"),
            ("", "the routing table is empty"),
        ];
        for (text, msg) in cases {
            let e = RoutingTable::parse(text).unwrap_err();
            assert!(e.contains(msg), "{text}: {e}");
        }
    }

    #[test]
    fn a_route_to_a_provider_that_is_not_configured_is_named() {
        let t = RoutingTable::parse("KE=crisscross, GH=xtopay").unwrap();
        assert_eq!(t.check_configured(|_| true), Ok(()));
        assert_eq!(
            t.check_configured(|p| p == ProviderId::CrissCross),
            Err("ROUTES sends payments to xtopay but XTOPAY_BASE_URL is not set".into())
        );
    }

    #[test]
    fn verify_phone_is_on_for_xtopay_by_default_and_set_per_route() {
        let t = RoutingTable::parse(
            "GH/mtn_momo=xtopay;verify_phone=off, GH=xtopay, KE=crisscross;verify_phone, UG=honeycoin",
        )
        .unwrap();
        assert!(!t.verify_phone(Country::GH, Operator::MtnMomo));
        assert!(t.verify_phone(Country::GH, Operator::TelecelCash));
        assert!(t.verify_phone(Country::KE, Operator::Mpesa));
        assert!(!t.verify_phone(Country::UG, Operator::MtnMomo));
        assert!(t.any_verify_phone());
        assert!(!RoutingTable::parse("KE=crisscross")
            .unwrap()
            .any_verify_phone());
        let e = RoutingTable::parse("GH=xtopay;verify=yes").unwrap_err();
        assert!(e.contains("unknown option \"verify=yes\""), "{e}");
    }

    #[test]
    fn the_default_table_parses() {
        assert!(RoutingTable::parse(DEFAULT_ROUTES).is_ok());
    }
}
