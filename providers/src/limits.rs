//! Spam protection's limits (`PROMPT_LIMITS`): how many payment prompts one phone number and
//! one checkout may trigger in a window (a number the merchant locked has its own, higher,
//! per-phone limit); the same per-phone limit bounds how many verification codes are sent by
//! SMS. Xtopay's guide makes spam protection mandatory; Lipa applies it to every provider.
//! Parsed here, not in the edge, so that `cargo xtask deploy` checks the setting with the code
//! the edge runs.
//!
//! The per-client-IP limit is not here: it is the edge's `IP_LIMIT` rate-limiting binding
//! (`edge/wrangler.toml`; a deployment sets it with `[worker] prompts_per_ip_per_minute`),
//! counted by Cloudflare where the request arrives.

/// The limits in force (`PROMPT_LIMITS` = `phone/checkout[/locked_phone] per seconds`,
/// e.g. `5/5/20 per 600`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptLimits {
    /// Prompts per phone number per window.
    pub per_phone: u32,
    /// Payments per checkout per window.
    pub per_checkout: u32,
    /// Prompts per window to a number the merchant locked with `customer_phone` (the
    /// merchant vouched for it, so it may be higher; 4 × `per_phone` when not given).
    pub per_locked_phone: u32,
    /// The window, ms.
    pub window_ms: i64,
}

impl Default for PromptLimits {
    fn default() -> Self {
        PromptLimits {
            per_phone: 5,
            per_checkout: 5,
            per_locked_phone: 20,
            window_ms: 600_000,
        }
    }
}

impl PromptLimits {
    /// Parses `phone/checkout[/locked_phone] per seconds`. The four-number form of earlier
    /// versions (`phone/checkout/ip/locked_phone`) is refused, saying where the per-IP limit
    /// went, rather than read with its numbers in the wrong places.
    pub fn parse(text: &str) -> Result<PromptLimits, String> {
        let bad = || format!("PROMPT_LIMITS {text:?}: expected e.g. \"5/5/20 per 600\"");
        let (counts, window) = text.split_once(" per ").ok_or_else(bad)?;
        let n: Vec<u32> = counts
            .split('/')
            .map(|c| c.trim().parse::<u32>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let window_s: i64 = window.trim().parse().map_err(|_| bad())?;
        if window_s <= 0 || n.contains(&0) {
            return Err(bad());
        }
        let (phone, checkout, locked) = match n.as_slice() {
            [phone, checkout] => (*phone, *checkout, phone.saturating_mul(4)),
            [phone, checkout, locked] => (*phone, *checkout, *locked),
            [_, _, _, _] => {
                return Err(format!(
                    "PROMPT_LIMITS {text:?}: the per-IP limit is no longer part of it (it is \
                     [worker] prompts_per_ip_per_minute in the deployment file); give \
                     phone/checkout[/locked_phone] per seconds, e.g. \"5/5/20 per 600\""
                ))
            }
            _ => return Err(bad()),
        };
        Ok(PromptLimits {
            per_phone: phone,
            per_checkout: checkout,
            per_locked_phone: locked,
            window_ms: window_s * 1000,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse_and_refuse_nonsense() {
        assert_eq!(
            PromptLimits::parse("5/4 per 600"),
            Ok(PromptLimits {
                per_phone: 5,
                per_checkout: 4,
                per_locked_phone: 20,
                window_ms: 600_000
            })
        );
        assert_eq!(
            PromptLimits::parse("5/4/50 per 60").map(|l| l.per_locked_phone),
            Ok(50)
        );
        for bad in [
            "5 per 600",
            "5/5/5",
            "a/5/5 per 600",
            "5/5/5 per 0",
            "0/5/5 per 60",
            "5/5/0 per 60",
            "5/5/5/5/5 per 60",
        ] {
            assert!(PromptLimits::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_old_form_with_an_ip_limit_is_refused_saying_where_it_went() {
        let e = PromptLimits::parse("5/5/30/20 per 600").unwrap_err();
        assert!(e.contains("prompts_per_ip_per_minute"), "{e}");
        assert!(e.contains("5/5/20 per 600"), "{e}");
    }
}
