//! What the simulated operator does with a payer number, by its last two digits
//! (DESIGN.md's table, shared by every simulated provider).

/// How a test number behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Approved after the approval delay.
    Approve,
    /// Approved, but no webhook is ever sent: only polling finds it.
    ApproveSilently,
    /// Declined with this auth-failure code after the approval delay.
    Decline(&'static str),
    /// A system error; `can_retry` as CrissCross reports it.
    SystemError {
        /// Whether CrissCross says a retry may work.
        can_retry: bool,
    },
    /// Needs a one-time code (providers with an OTP step; CrissCross approves).
    Otp,
    /// Needs the customer on the operator's page (providers with a redirect step;
    /// CrissCross approves).
    Redirect,
    /// Waits for a person on the handset page.
    Handset,
}

/// The behaviour of a number (E.164 or national; only the last two digits count).
pub fn behaviour(number: &str) -> Behaviour {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let suffix = digits.get(digits.len().saturating_sub(2)..).unwrap_or("");
    match suffix {
        "01" => Behaviour::Approve,
        "05" => Behaviour::Decline("wrong_pin"),
        "06" => Behaviour::Decline("insufficient_funds"),
        "07" => Behaviour::Decline("timeout"),
        "08" => Behaviour::Decline("cancelled"),
        "09" => Behaviour::Decline("limit_exceeded"),
        "10" => Behaviour::Decline("not_registered"),
        "14" => Behaviour::Decline("declined"),
        "12" => Behaviour::SystemError { can_retry: true },
        "13" => Behaviour::SystemError { can_retry: false },
        "20" => Behaviour::Otp,
        "21" => Behaviour::Redirect,
        "30" => Behaviour::ApproveSilently,
        // Approved; CrissCross (…15–…33, see `Fault`) or Little (…34, see `little`) answers
        // oddly on the way, other providers just approve.
        "15" | "16" | "17" | "31" | "33" | "34" => Behaviour::Approve,
        _ => Behaviour::Handset,
    }
}

/// How simulated CrissCross misbehaves around an approved payment, by the payer's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// …15: the final webhook is delivered twice (same event id).
    DuplicateWebhook,
    /// …16: after the final webhook, an older "pending" one arrives (out of order).
    StaleWebhookAfter,
    /// …17: the first payment request is answered 429 with `Retry-After`.
    RateLimitedOnce,
    /// …31: the first payment request is taken but answered only after 12 s (past the edge's
    /// 10 s timeout: a lost answer).
    SlowAnswer,
    /// …33: every status is written in lowercase (`pending`, `completed`), as the guide's
    /// prose writes them, in answers and webhooks alike (its JSON examples are uppercase).
    LowercaseStatuses,
}

/// The CrissCross fault of a number, if any.
pub fn fault(number: &str) -> Option<Fault> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match digits.get(digits.len().saturating_sub(2)..).unwrap_or("") {
        "15" => Some(Fault::DuplicateWebhook),
        "16" => Some(Fault::StaleWebhookAfter),
        "17" => Some(Fault::RateLimitedOnce),
        "31" => Some(Fault::SlowAnswer),
        "33" => Some(Fault::LowercaseStatuses),
        _ => None,
    }
}

/// The table printed by `cargo xtask dev` and shown on the handset page.
pub const TABLE: &[(&str, &str)] = &[
    ("…01", "approved after about 2 s"),
    ("…05", "declined: wrong PIN"),
    ("…06", "declined: insufficient funds"),
    ("…07", "declined: timed out"),
    ("…08", "declined: cancelled by the customer"),
    ("…09", "declined: limit reached"),
    ("…10", "declined: not registered"),
    ("…12", "provider system error (retryable)"),
    ("…13", "provider system error (final)"),
    ("…15", "approved; CrissCross sends its webhook twice"),
    (
        "…16",
        "approved; CrissCross sends a stale pending webhook after the final one",
    ),
    (
        "…17",
        "approved; CrissCross answers the first payment request 429 (Retry-After)",
    ),
    (
        "…20",
        "HoneyCoin: one-time code required (shown on this page)",
    ),
    ("…21", "HoneyCoin: finish on the operator's page (redirect)"),
    (
        "…30",
        "approved, but no webhook is sent (polling finds it); Dollr: PROCESSING for minutes",
    ),
    (
        "…31",
        "approved; CrissCross answers the payment request after 12 s (a lost answer)",
    ),
    (
        "…32",
        "Dollr: the collection goes through but its answer is lost",
    ),
    (
        "…33",
        "approved; CrissCross writes its statuses in lowercase (pending, completed)",
    ),
    (
        "…34",
        "approved; Little's status answer has an empty key and lists attempts newest first",
    ),
    ("…40", "Dollr: approved late, after the customer gave up"),
    ("other", "waits for Approve / Decline on the handset page"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_select_behaviours() {
        assert_eq!(behaviour("+254712000001"), Behaviour::Approve);
        assert_eq!(
            behaviour("0712 000 006"),
            Behaviour::Decline("insufficient_funds")
        );
        assert_eq!(
            behaviour("0970000013"),
            Behaviour::SystemError { can_retry: false }
        );
        assert_eq!(behaviour("+254712345678"), Behaviour::Handset);
        assert_eq!(behaviour("+254712000033"), Behaviour::Approve);
        assert_eq!(fault("+254712000033"), Some(Fault::LowercaseStatuses));
        assert_eq!(fault("+254712000001"), None);
        assert_eq!(behaviour(""), Behaviour::Handset);
    }
}
