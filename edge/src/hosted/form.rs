//! What the hosted page's forms post (`application/x-www-form-urlencoded`), and the CSRF
//! token that binds a form to its checkout.

use crate::ids;

/// One form post, as sent; each field at its first occurrence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormPost {
    /// The link token (`t`).
    pub token: String,
    /// The CSRF token.
    pub csrf: String,
    /// The page's language.
    pub locale: String,
    /// `pay`, `otp`, `check`, or for a number being verified `verify` (check the SMS code)
    /// and `resend` (send a new one).
    pub action: String,
    /// The operator chosen.
    pub operator: String,
    /// The number typed.
    pub phone: String,
    /// The one-time code typed.
    pub otp: String,
    /// The phone-verification code typed (from the SMS).
    pub code: String,
    /// The tries the verification screen said were left (only worded back to the customer;
    /// the Checkout object counts the tries).
    pub left: String,
}

impl FormPost {
    /// Reads a urlencoded body; unknown fields are ignored (a form is not an API).
    pub fn parse(body: &[u8]) -> FormPost {
        let mut post = FormPost::default();
        let mut seen = std::collections::BTreeSet::new();
        for (name, value) in form_urlencoded::parse(body) {
            if !seen.insert(name.to_string()) {
                continue;
            }
            let slot = match name.as_ref() {
                "t" => &mut post.token,
                "csrf" => &mut post.csrf,
                "l" => &mut post.locale,
                "action" => &mut post.action,
                "operator" => &mut post.operator,
                "phone" => &mut post.phone,
                "otp" => &mut post.otp,
                "code" => &mut post.code,
                "left" => &mut post.left,
                _ => continue,
            };
            *slot = value.into_owned();
        }
        post
    }
}

/// The CSRF token of a checkout's forms: bound to the checkout and to its link token, so a
/// page of another checkout (or another site, which knows neither) cannot post for it.
pub fn csrf_token(checkout_id: &str, link_token: &str) -> String {
    let digest = ids::sha256_hex(&format!("lipa-hosted-csrf\n{checkout_id}\n{link_token}"));
    digest.chars().take(32).collect()
}

/// Whether `given` is the CSRF token of this checkout and link (constant time).
pub fn csrf_ok(given: &str, checkout_id: &str, link_token: &str) -> bool {
    ids::constant_time_eq(given, &csrf_token(checkout_id, link_token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_of_each_field_decoding_it() {
        let p = FormPost::parse(
            b"t=lk_1&csrf=abc&l=fr&action=pay&operator=mpesa&phone=0712+000+001&phone=999&x=1",
        );
        assert_eq!(p.token, "lk_1");
        assert_eq!(p.action, "pay");
        assert_eq!(p.phone, "0712 000 001");
        assert_eq!(p.locale, "fr");
        assert_eq!(FormPost::parse(b"otp=%31%32%33%34").otp, "1234");
        let v = FormPost::parse(b"action=verify&code=123+456&left=2&code=999999");
        assert_eq!((v.code.as_str(), v.left.as_str()), ("123 456", "2"));
    }

    #[test]
    fn the_csrf_token_is_bound_to_the_checkout_and_its_link() {
        let token = csrf_token("co_1", "lk_a");
        assert_eq!(token.len(), 32);
        assert!(csrf_ok(&token, "co_1", "lk_a"));
        assert!(!csrf_ok(&token, "co_2", "lk_a"));
        assert!(!csrf_ok(&token, "co_1", "lk_b"));
        assert!(!csrf_ok("", "co_1", "lk_a"));
    }
}
