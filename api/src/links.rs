//! What a checkout's hosted page (`pay_url`) links to and how long it lives: the merchant's
//! return URLs, validated when the checkout is created, and the checkout's expiry.
//!
//! A return URL must be `https://`; `http://` is accepted only for `127.0.0.1`, `localhost`
//! and `[::1]`, so a merchant's local development server (and `cargo xtask dev`'s demo shop)
//! can be sent back to. It is absolute, has no credentials (`user@`), and is written in
//! printable ASCII without the characters RFC 3986 forbids (percent-encode anything else), so
//! it is safe in an HTML attribute once escaped and cannot smuggle a `javascript:` or `data:`
//! scheme onto the page.

use crate::error::ApiError;
use crate::json::invalid;

/// The longest return URL accepted.
pub const MAX_RETURN_URL_LEN: usize = 2048;

/// A checkout lives this long unless the merchant says otherwise: one day.
pub const DEFAULT_EXPIRY_MS: i64 = 24 * 60 * 60 * 1000;

/// The latest expiry a merchant may set: thirty days after creation.
pub const MAX_EXPIRY_MS: i64 = 30 * DEFAULT_EXPIRY_MS;

/// Hosts that may be reached over plain `http://` (a local development system).
const LOCAL_HOSTS: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// Checks a merchant's return URL (`field` is `success_url` or `cancel_url`, named in the
/// refusal) and returns it as given.
pub fn return_url(field: &str, value: &str) -> Result<String, ApiError> {
    let refuse = |why: &str| invalid(field, format!("{field} {why}"));
    if value.is_empty() || value.len() > MAX_RETURN_URL_LEN {
        return Err(refuse(&format!(
            "must be 1 to {MAX_RETURN_URL_LEN} characters"
        )));
    }
    if let Some(c) = value
        .chars()
        .find(|c| !c.is_ascii_graphic() || "\"<>\\^`{|}".contains(*c))
    {
        return Err(refuse(&format!(
            "contains {c:?}: write it as an absolute URL in printable ASCII, percent-encoding the rest"
        )));
    }
    let lower = value.to_ascii_lowercase();
    let (https, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(refuse("must be an https:// URL"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(refuse("must not carry credentials (user@host)"));
    }
    let (host, port) = split_port(authority);
    if !valid_host(host) {
        return Err(refuse("must name a host (https://shop.example/…)"));
    }
    if let Some(port) = port {
        if port.is_empty()
            || port.len() > 5
            || !port.chars().all(|c| c.is_ascii_digit())
            || port.parse::<u32>().map_or(true, |p| p == 0 || p > 65_535)
        {
            return Err(refuse("has an invalid port"));
        }
    }
    if !https && !LOCAL_HOSTS.contains(&host) {
        return Err(refuse(
            "must be https:// (http:// is accepted only for 127.0.0.1 and localhost)",
        ));
    }
    Ok(value.to_string())
}

/// The host and the port of an authority (`[::1]:8080` → `[::1]`, `8080`).
fn split_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => {
                let (host, after) = authority.split_at(end + 1);
                (host, after.strip_prefix(':'))
            }
            None => (authority, None),
        };
    }
    match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// A DNS name or IPv4 address (letters, digits and `-` in non-empty dot-separated labels), or
/// the IPv6 loopback.
fn valid_host(host: &str) -> bool {
    host == "[::1]"
        || (!host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }))
}

/// The success URL the customer is sent to: the merchant's `success_url` with
/// `checkout_id=co_…` added to its query (before any fragment).
pub fn with_checkout_id(url: &str, checkout_id: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let joiner = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{joiner}checkout_id={checkout_id}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// When a checkout created at `now_ms` expires: `asked` (the merchant's `expires_at_ms`) if it
/// is in the future and at most [`MAX_EXPIRY_MS`] away, else a refusal naming the field;
/// [`DEFAULT_EXPIRY_MS`] from now when not asked.
pub fn expiry(asked: Option<i64>, now_ms: i64) -> Result<i64, ApiError> {
    match asked {
        None => Ok(now_ms + DEFAULT_EXPIRY_MS),
        Some(at) if at <= now_ms => Err(invalid(
            "expires_at_ms",
            "expires_at_ms must be in the future (Unix time in milliseconds)",
        )),
        Some(at) if at > now_ms + MAX_EXPIRY_MS => Err(invalid(
            "expires_at_ms",
            "expires_at_ms must be at most 30 days from now",
        )),
        Some(at) => Ok(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_and_local_http() {
        for ok in [
            "https://shop.example/thanks",
            "https://shop.example:8443/orders/42?lang=sw#top",
            "HTTPS://Shop.Example/x",
            "https://192.0.2.10/return",
            "http://127.0.0.1:8788/shop/hosted/return",
            "http://localhost/cancel",
            "http://[::1]:3000/",
            "https://shop.example/a%20b?q=%3Cx%3E",
        ] {
            assert_eq!(return_url("success_url", ok).as_deref(), Ok(ok), "{ok}");
        }
    }

    #[test]
    fn refuses_other_schemes_credentials_and_unsafe_characters_naming_the_field() {
        for bad in [
            "",
            "http://shop.example/thanks",
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "//shop.example/x",
            "/thanks",
            "ftp://shop.example/",
            "https://",
            "https:///path",
            "https://user:pw@shop.example/",
            "https://shop.example/a b",
            "https://shop.example/\"><script>",
            "https://shop.example/é",
            "https://shop..example/",
            "https://-shop.example/",
            "https://shop.example:0/",
            "https://shop.example:99999/",
            "https://shop.example:80a/",
            "http://127.0.0.1.evil.example/",
            "https://shop.example/\n",
        ] {
            let e = return_url("cancel_url", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("cancel_url"), "{bad:?}");
            assert!(
                e.message.starts_with("cancel_url "),
                "{bad:?}: {}",
                e.message
            );
        }
        let long = format!("https://shop.example/{}", "a".repeat(MAX_RETURN_URL_LEN));
        assert!(return_url("success_url", &long).is_err());
    }

    #[test]
    fn the_checkout_id_joins_the_query_before_the_fragment() {
        assert_eq!(
            with_checkout_id("https://s.example/ok", "co_1"),
            "https://s.example/ok?checkout_id=co_1"
        );
        assert_eq!(
            with_checkout_id("https://s.example/ok?order=42#done", "co_1"),
            "https://s.example/ok?order=42&checkout_id=co_1#done"
        );
        assert_eq!(
            with_checkout_id("https://s.example/ok?", "co_1"),
            "https://s.example/ok?checkout_id=co_1"
        );
    }

    #[test]
    fn expiry_defaults_to_a_day_and_must_be_within_thirty_days() {
        let now = 1_000_000;
        assert_eq!(expiry(None, now), Ok(now + DEFAULT_EXPIRY_MS));
        assert_eq!(expiry(Some(now + 1), now), Ok(now + 1));
        assert_eq!(
            expiry(Some(now + MAX_EXPIRY_MS), now),
            Ok(now + MAX_EXPIRY_MS)
        );
        for bad in [now, now - 1, now + MAX_EXPIRY_MS + 1] {
            assert_eq!(
                expiry(Some(bad), now).unwrap_err().field.as_deref(),
                Some("expires_at_ms")
            );
        }
    }
}
