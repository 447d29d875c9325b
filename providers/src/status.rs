//! What every adapter's status conversion shares: a wire status enum is read from the
//! provider's text with `TryFrom<&str>`, case-insensitively, and a value the adapter does not
//! know is an explicit [`UnknownStatus`], which means *keep polling*, never failed.

/// A provider's status value Lipa's adapter does not know. The payment stays pending and the
/// raw value is logged (`provider_status_unknown`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStatus(pub String);

/// The variant of a wire status enum named by `text` in `names`, in any case and ignoring
/// surrounding spaces.
pub fn named<T: Copy>(text: &str, names: &[(T, &str)]) -> Result<T, UnknownStatus> {
    names
        .iter()
        .find(|(_, name)| name.eq_ignore_ascii_case(text.trim()))
        .map(|(status, _)| *status)
        .ok_or_else(|| UnknownStatus(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_in_any_case_and_the_unknown_is_kept_raw() {
        let names = [(1, "PENDING"), (2, "COMPLETED")];
        assert_eq!(named(" completed ", &names), Ok(2));
        assert_eq!(named("Pending", &names), Ok(1));
        assert_eq!(
            named("ON_HOLD", &names),
            Err(UnknownStatus("ON_HOLD".into()))
        );
    }
}
