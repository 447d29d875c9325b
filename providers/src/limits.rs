//! Spam protection's limits (`PROMPT_LIMITS`): how many payment prompts one phone number and
//! one checkout may trigger in a window (a number the merchant locked has its own, higher,
//! per-phone limit); the same per-phone limit bounds how many verification codes are sent by
//! SMS. Xtopay's guide makes spam protection mandatory; Lipa applies it to every provider.
//! Parsed here, not in the edge, so that `cargo xtask deploy` checks the setting with the code
//! the edge runs.
//!
//! The per-client-address limits are not here: they are the edge's rate-limiting bindings
//! (`edge/wrangler.toml`; a deployment sets them with `[worker] prompts_per_ip_per_minute` and
//! `codes_per_ip_per_minute`), counted by Cloudflare.

/// The limits in force (`PROMPT_LIMITS` = `phone/checkout per seconds[, locked L]`, e.g.
/// `5/5 per 600, locked 20`).
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
    /// Parses `phone/checkout per seconds[, locked L]`. The forms of earlier versions
    /// (`phone/checkout/ip[/locked_phone] per seconds`) are refused, saying where the per-IP
    /// limit went, rather than read with a number in another place: their third number was
    /// the per-IP limit, which a sale raised into the thousands.
    pub fn parse(text: &str) -> Result<PromptLimits, String> {
        let bad = || format!("PROMPT_LIMITS {text:?}: expected e.g. \"5/5 per 600, locked 20\"");
        let (counts, rest) = text.split_once(" per ").ok_or_else(bad)?;
        let n: Vec<u32> = counts
            .split('/')
            .map(|c| c.trim().parse::<u32>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let [phone, checkout] = n.as_slice() else {
            return Err(if matches!(n.len(), 3 | 4) {
                format!(
                    "PROMPT_LIMITS {text:?}: three or four numbers are an earlier form, whose \
                     third was the per-IP limit (now [worker] prompts_per_ip_per_minute in the \
                     deployment file); give phone/checkout per seconds[, locked L], e.g. \
                     \"5/5 per 600, locked 20\""
                )
            } else {
                bad()
            });
        };
        let (window, locked) = match rest.split_once(',') {
            None => (rest, None),
            Some((window, locked)) => {
                let l = locked
                    .trim()
                    .strip_prefix("locked ")
                    .and_then(|l| l.trim().parse::<u32>().ok())
                    .ok_or_else(bad)?;
                (window, Some(l))
            }
        };
        let window_ms = window
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|s| *s > 0)
            .and_then(|s| s.checked_mul(1000))
            .ok_or_else(bad)?;
        let locked = locked.unwrap_or_else(|| phone.saturating_mul(4));
        if *phone == 0 || *checkout == 0 || locked == 0 {
            return Err(bad());
        }
        Ok(PromptLimits {
            per_phone: *phone,
            per_checkout: *checkout,
            per_locked_phone: locked,
            window_ms,
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
            PromptLimits::parse("5/4 per 60, locked 50").map(|l| l.per_locked_phone),
            Ok(50)
        );
        for bad in [
            "5 per 600",
            "5/5",
            "a/5 per 600",
            "5/5 per 0",
            "0/5 per 60",
            "5/5 per 60, locked 0",
            "5/5 per 60, 20",
            "5/5 per 60, locked twenty",
            "5/5/5/5/5 per 60",
            "5/5 per 9223372036854775807",
        ] {
            assert!(PromptLimits::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_old_forms_with_an_ip_limit_are_refused_saying_where_it_went() {
        for old in ["5/5/30/20 per 600", "5/5/2000 per 600"] {
            let e = PromptLimits::parse(old).unwrap_err();
            assert!(e.contains("earlier form"), "{e}");
            assert!(e.contains("prompts_per_ip_per_minute"), "{e}");
            assert!(e.contains("5/5 per 600, locked 20"), "{e}");
        }
    }
}
