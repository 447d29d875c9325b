//! The per-client-address limits on payment prompts and on codes sent by SMS: Cloudflare's
//! rate-limiting bindings (`[[ratelimits]]` in `edge/wrangler.toml`), one per [`Purpose`],
//! asked with the client's address from `CF-Connecting-IP`.
//!
//! Why not a PromptLimiter bucket, as it was: a bucket is a hop to a Durable Object (taking it
//! made a Pay's median CPU 0.67 ms lower: BENCHMARKS.md, "the per-address limit without a hop")
//! and, on Cloudflare, a round trip to wherever that shard lives. A binding is counted by
//! Cloudflare in the location of the Checkout object that asks (near the merchant's server,
//! which created it), with no hop. What it gives up is exactness: its counts are per location
//! and eventually consistent, and its window is a fixed minute. That fits these limits, which are coarse guards against one source
//! prompting many numbers or making Lipa text many (many customers share one address behind a
//! carrier's NAT, and an attacker changes addresses anyway); the limits that protect a person
//! stay exact and global in the PromptLimiter (per phone number) and in the checkout's own
//! record (per checkout). Codes have a binding, and a limit, of their own: a merchant raises
//! the prompts' for a sale, and texts cost money to send.
//!
//! An IPv6 client is counted by its /64 (one link: a mobile handset's whole prefix, one of many
//! for a home or an office);
//! a loopback client is this machine itself (local development, the tests), never a customer
//! on Cloudflare, and is not counted. A request with no address (Cloudflare always sends one;
//! a zone rule could strip it) is let through and logged.

use std::net::IpAddr;

use worker::Env;

use crate::checkout::log;
use crate::error::EdgeResult;
use crate::executor::now_ms;

/// The bindings' window (`simple = { period = 60 }`), for the refusal's "try again in".
pub const PERIOD_MS: i64 = 60_000;

/// What a client is asking for: each has its own binding, limit and count per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A payment prompt (Pay).
    Prompt,
    /// A verification code sent by SMS.
    Code,
}

impl Purpose {
    /// Every purpose, for the tests that read `wrangler.toml`.
    pub const ALL: [Purpose; 2] = [Purpose::Prompt, Purpose::Code];

    /// The rate-limiting binding that counts it.
    pub fn binding(self) -> &'static str {
        match self {
            Purpose::Prompt => "IP_PROMPT_LIMIT",
            Purpose::Code => "IP_CODE_LIMIT",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Purpose::Prompt => "prompt",
            Purpose::Code => "code",
        }
    }

    /// The 429 for an address that has used up its minute, and its log event.
    fn refusal(self, now: i64) -> (lipa_api::ApiError, &'static str) {
        let retry_at = now + PERIOD_MS;
        match self {
            Purpose::Prompt => (
                crate::limits::refused("device", retry_at, now),
                "prompt_limit",
            ),
            Purpose::Code => (
                crate::limits::refused_codes("device", retry_at, now),
                "verify_code_limit",
            ),
        }
    }
}

/// The key a client's address is counted under, `None` for a client that is not counted
/// (no address, or a loopback one).
fn key(purpose: Purpose, client_ip: &str) -> Option<String> {
    let text = client_ip.trim();
    if text.is_empty() {
        return None;
    }
    let who = match text.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => return None,
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) if v4.is_loopback() => return None,
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        // Cloudflare always sends an address; anything else is counted as it is.
        Err(_) => text.to_string(),
    };
    Some(format!("{}:{who}", purpose.prefix()))
}

/// Counts one `purpose` for the client: a 429 ("…for this device…") when its address has used
/// up the minute's limit. A client with no address, or a loopback one, is always let through.
/// A missing binding is an error: the Pay or the code is refused before anything is sent.
pub async fn check(env: &Env, purpose: Purpose, client_ip: Option<&str>) -> EdgeResult<()> {
    let Some(key) = client_ip.and_then(|ip| key(purpose, ip)) else {
        if client_ip.is_none_or(|ip| ip.trim().is_empty()) {
            log("ip_limit_no_address", purpose.prefix());
        }
        return Ok(());
    };
    if env
        .rate_limiter(purpose.binding())?
        .limit(key)
        .await?
        .success
    {
        return Ok(());
    }
    let (refusal, event) = purpose.refusal(now_ms());
    log(event, "client ip");
    Err(refusal.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_counted_per_purpose() {
        assert_eq!(
            key(Purpose::Prompt, "203.0.113.9").as_deref(),
            Some("prompt:203.0.113.9")
        );
        assert_eq!(
            key(Purpose::Code, " 203.0.113.9 ").as_deref(),
            Some("code:203.0.113.9")
        );
    }

    #[test]
    fn a_full_minute_is_refused_as_the_device_naming_what_and_when() {
        let (prompt, event) = Purpose::Prompt.refusal(0);
        assert_eq!(event, "prompt_limit");
        assert!(
            prompt.message.contains("payment prompts for this device")
                && prompt.message.contains("1 minute"),
            "{}",
            prompt.message
        );
        let (code, event) = Purpose::Code.refusal(0);
        assert_eq!(event, "verify_code_limit");
        assert!(
            code.message.contains("codes for this device"),
            "{}",
            code.message
        );
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64() {
        let a = key(Purpose::Prompt, "2001:db8:1:2:aaaa::1");
        let b = key(Purpose::Prompt, "2001:0db8:0001:0002:ffff:1:2:3");
        assert_eq!(a.as_deref(), Some("prompt:2001:db8:1:2::/64"));
        assert_eq!(a, b, "two addresses of one /64 share a count");
        assert_ne!(a, key(Purpose::Prompt, "2001:db8:1:3::1"));
        assert_eq!(
            key(Purpose::Prompt, "::ffff:198.51.100.7").as_deref(),
            Some("prompt:198.51.100.7"),
            "an IPv4-mapped address is its IPv4 one"
        );
    }

    #[test]
    fn this_machine_and_a_missing_address_are_not_counted() {
        for ip in [
            "127.0.0.1",
            "127.3.2.1",
            "::1",
            "::ffff:127.0.0.1",
            "",
            "  ",
        ] {
            assert_eq!(key(Purpose::Prompt, ip), None, "{ip:?}");
        }
    }

    #[test]
    fn every_purpose_has_its_binding_counting_in_the_period() {
        // The refusal's "try again in" is computed from PERIOD_MS: it must be the window each
        // binding in wrangler.toml counts in.
        let toml = include_str!("../wrangler.toml");
        for purpose in Purpose::ALL {
            let name = format!("name = \"{}\"", purpose.binding());
            let block = toml
                .split("[[ratelimits]]")
                .find(|b| b.contains(&name))
                .unwrap_or_else(|| panic!("wrangler.toml declares {name}"));
            assert!(
                block.contains(&format!("period = {}", PERIOD_MS / 1000)),
                "{block}"
            );
        }
    }
}
