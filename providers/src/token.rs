//! Bearer tokens and the cache that keeps one until shortly before it expires.

use crate::secret::Secret;

/// Refresh this long before the provider's expiry, so a token never dies in flight.
pub const REFRESH_MARGIN_MS: i64 = 60_000;

/// A bearer token and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The token.
    pub token: Secret,
    /// Expiry, Unix milliseconds.
    pub expires_at_ms: i64,
}

/// Holds at most one token per provider account.
#[derive(Debug, Default, Clone)]
pub struct TokenCache {
    current: Option<AccessToken>,
}

impl TokenCache {
    /// The cached token, if it is still good for at least [`REFRESH_MARGIN_MS`].
    pub fn fresh(&self, now_ms: i64) -> Option<&Secret> {
        self.current
            .as_ref()
            .filter(|t| t.expires_at_ms - REFRESH_MARGIN_MS > now_ms)
            .map(|t| &t.token)
    }

    /// Stores a new token.
    pub fn store(&mut self, token: AccessToken) {
        self.current = Some(token);
    }

    /// Forgets the token (after the provider answered 401).
    pub fn clear(&mut self) {
        self.current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_used_until_shortly_before_expiry() {
        let mut cache = TokenCache::default();
        assert!(cache.fresh(0).is_none());
        cache.store(AccessToken {
            token: Secret::new("t"),
            expires_at_ms: 3_600_000,
        });
        assert!(cache.fresh(1_000).is_some());
        assert!(cache.fresh(3_600_000 - REFRESH_MARGIN_MS - 1).is_some());
        assert!(cache.fresh(3_600_000 - REFRESH_MARGIN_MS).is_none());
        cache.clear();
        assert!(cache.fresh(1_000).is_none());
    }
}
