//! The providers of one deployment, found by id: the edge reaches providers only through
//! here and the [`Provider`] trait, never by matching on a [`ProviderId`].

use crate::call::CallError;
use crate::provider::Provider;
use crate::settings::{SettingError, Settings};
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
