//! The providers of one deployment, found by id: the edge reaches providers only through
//! here and the [`Provider`] trait, never by matching on a [`ProviderId`].

use crate::call::CallError;
use crate::provider::Provider;
use crate::settings::{Section, SettingError, Settings, EDGE};
use crate::{crisscross, dollr, honeycoin, little, xtopay, ProviderId};

/// Reads a provider's configuration section: `None` when the deployment does not use it
/// (its base URL is unset), an error naming the setting when the section is incomplete.
pub type Configure = fn(&dyn Settings) -> Result<Option<Box<dyn Provider>>, SettingError>;

/// Every provider Lipa has, one line each.
pub const PROVIDERS: [Configure; 5] = [
    crisscross::flow::configure,
    honeycoin::flow::configure,
    xtopay::flow::configure,
    little::flow::configure,
    dollr::flow::configure,
];

/// Every provider's settings, in the order of [`PROVIDERS`]: what `cargo xtask deploy`
/// checks a configuration against. A test keeps each table and its `configure` in step.
pub const SECTIONS: [Section; 5] = [
    crisscross::flow::SETTINGS,
    honeycoin::flow::SETTINGS,
    xtopay::flow::SETTINGS,
    little::flow::SETTINGS,
    dollr::flow::SETTINGS,
];

/// The edge's own section, then every provider's.
pub fn all_sections() -> impl Iterator<Item = Section> {
    std::iter::once(EDGE).chain(SECTIONS)
}

/// The configured providers.
#[derive(Default)]
pub struct Registry {
    providers: Vec<Box<dyn Provider>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.ids()).finish()
    }
}

impl Registry {
    /// Configures every provider whose section is present.
    pub fn from_settings(settings: &dyn Settings) -> Result<Registry, SettingError> {
        let mut providers = Vec::new();
        for configure in PROVIDERS {
            if let Some(p) = configure(settings)? {
                providers.push(p);
            }
        }
        Ok(Registry { providers })
    }

    /// A registry of the given providers (tests).
    pub fn of(providers: Vec<Box<dyn Provider>>) -> Registry {
        Registry { providers }
    }

    /// The provider `id`, if configured.
    pub fn get(&self, id: ProviderId) -> Option<&dyn Provider> {
        self.providers
            .iter()
            .find(|p| p.id() == id)
            .map(|p| p.as_ref())
    }

    /// The provider `id`, or why a call cannot be made.
    pub fn require(&self, id: ProviderId) -> Result<&dyn Provider, CallError> {
        self.get(id).ok_or(CallError::NotConfigured(id))
    }

    /// The configured providers' ids.
    pub fn ids(&self) -> impl Iterator<Item = ProviderId> + '_ {
        self.providers.iter().map(|p| p.id())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use super::*;
    use crate::settings::{Kind, Need};
    use crate::Secret;

    /// Settings from a map, remembering every name read and whether as a secret.
    #[derive(Default)]
    struct Recording {
        values: BTreeMap<&'static str, &'static str>,
        read: RefCell<BTreeMap<String, Kind>>,
    }

    impl Settings for Recording {
        fn text(&self, name: &str) -> Option<String> {
            self.read.borrow_mut().insert(name.to_string(), Kind::Var);
            self.values.get(name).map(|v| v.to_string())
        }

        fn secret(&self, name: &str) -> Option<Secret> {
            self.read
                .borrow_mut()
                .insert(name.to_string(), Kind::Secret);
            self.values.get(name).map(|v| Secret::new(*v))
        }
    }

    fn every_setting_of(section: &Section) -> Recording {
        Recording {
            values: section
                .settings
                .iter()
                .map(|s| (s.name, s.example))
                .collect(),
            ..Recording::default()
        }
    }

    #[test]
    fn each_table_lists_exactly_what_its_configure_reads_and_how() {
        for (configure, section) in PROVIDERS.into_iter().zip(SECTIONS) {
            let provider = section.provider.expect("a provider's section");
            let settings = every_setting_of(&section);
            let configured = configure(&settings)
                .unwrap_or_else(|e| panic!("{provider:?} refused its table's examples: {e}"))
                .unwrap_or_else(|| panic!("{provider:?} stayed off with its table's examples"));
            assert_eq!(configured.id(), provider, "SECTIONS is in PROVIDERS' order");
            let read = settings.read.into_inner();
            let table: BTreeMap<String, Kind> = section
                .settings
                .iter()
                .map(|s| (s.name.to_string(), s.kind))
                .collect();
            assert_eq!(
                read, table,
                "{provider:?}: names read (and as what) vs its table"
            );
        }
    }

    #[test]
    fn each_settings_need_is_what_its_configure_does_without_it() {
        for (configure, section) in PROVIDERS.into_iter().zip(SECTIONS) {
            for setting in section.settings {
                let mut settings = every_setting_of(&section);
                settings.values.remove(setting.name);
                let outcome = configure(&settings);
                match setting.need {
                    Need::Switch => assert!(
                        matches!(outcome, Ok(None)),
                        "without {} the provider is off",
                        setting.name
                    ),
                    Need::Required => assert_eq!(
                        outcome.err().map(|e| e.name),
                        Some(setting.name.to_string()),
                        "without {} configure refuses naming it",
                        setting.name
                    ),
                    Need::Optional => assert!(
                        matches!(outcome, Ok(Some(_))),
                        "{} is optional",
                        setting.name
                    ),
                }
            }
        }
    }

    #[test]
    fn every_name_is_unique_and_a_providers_names_carry_its_prefix() {
        let mut seen = std::collections::BTreeSet::new();
        for section in all_sections() {
            assert_eq!(
                section
                    .settings
                    .iter()
                    .filter(|s| s.need == Need::Switch)
                    .count(),
                usize::from(section.provider.is_some()),
                "one switch per provider section, none for the edge's"
            );
            for s in section.settings {
                assert!(seen.insert(s.name), "{} is listed twice", s.name);
                if let Some(p) = section.provider {
                    let prefix = format!("{}_", p.name().to_ascii_uppercase());
                    assert!(s.name.starts_with(&prefix), "{} in {p:?}'s table", s.name);
                }
            }
        }
    }
}
