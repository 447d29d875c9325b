//! Spam protection: how many payment prompts one phone number and one checkout may trigger in
//! a window (Xtopay's guide makes this mandatory; Lipa applies it to every provider; the
//! per-client-address limits are [`crate::ip_limit`]). A number the merchant locked has its
//! own, higher, per-phone limit: the merchant vouched for it.

use lipa_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};

pub use lipa_providers::limits::PromptLimits;

/// The times of recent prompts in one bucket (a phone number's prompts or codes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    hits: Vec<i64>,
}

impl Window {
    /// Records a prompt at `now_ms` if fewer than `limit` happened in the last `window_ms`;
    /// otherwise says when the next one will be allowed.
    pub fn take(&mut self, now_ms: i64, limit: u32, window_ms: i64) -> Result<(), i64> {
        self.hits.retain(|t| now_ms - t < window_ms);
        if self.hits.len() >= limit as usize {
            let oldest = self.hits.iter().min().copied().unwrap_or(now_ms);
            return Err(oldest + window_ms);
        }
        self.hits.push(now_ms);
        Ok(())
    }
}

/// The 429 for a bucket that is full, saying what and for how long.
pub fn refused(what: &str, retry_at_ms: i64, now_ms: i64) -> ApiError {
    let minutes = ((retry_at_ms - now_ms).max(0) + 59_999) / 60_000;
    ApiError::new(
        ErrorCode::TooManyPrompts,
        format!("Too many payment prompts for this {what}. Try again in {minutes} minute(s)."),
    )
}

/// The 429 for codes sent by SMS to a bucket that is full.
pub fn refused_codes(what: &str, retry_at_ms: i64, now_ms: i64) -> ApiError {
    let minutes = ((retry_at_ms - now_ms).max(0) + 59_999) / 60_000;
    ApiError::new(
        ErrorCode::TooManyPrompts,
        format!("Too many codes for this {what}. Try again in {minutes} minute(s)."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nth_plus_one_prompt_in_a_window_is_refused() {
        let mut w = Window::default();
        for i in 0..3 {
            assert_eq!(w.take(i * 1000, 3, 60_000), Ok(()));
        }
        assert_eq!(w.take(5_000, 3, 60_000), Err(60_000));
        assert_eq!(
            w.take(60_000, 3, 60_000),
            Ok(()),
            "the oldest left the window"
        );
    }

    #[test]
    fn a_full_bucket_says_what_and_for_how_long() {
        let e = refused("phone number", 61_000, 0);
        assert_eq!(e.code, ErrorCode::TooManyPrompts);
        assert!(e.message.contains("2 minute(s)"), "{}", e.message);
    }
}
