//! What the edge's logs may not carry: a phone number in full. Lipa's own log lines write
//! numbers masked (`+254 ••• ••• 001`); this masks whatever a provider's or the runtime's
//! words carry (an echoed MSISDN in an error message) before the line is written.

/// The fewest digits a run must have to be taken for a phone number (the shortest national
/// numbers Lipa serves have 9).
const MIN_PHONE_DIGITS: usize = 9;

/// `text` with every phone-number-like run of digits (9 or more, optionally after `+`, with
/// single spaces or hyphens between groups, not part of a longer word such as `pay_…123` or
/// a UUID) masked but for its last three digits.
pub fn phone_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_run = chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if !starts_run || (i > 0 && word(chars[i - 1])) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, with single separators between digits.
        let mut end = i + 1;
        while end < chars.len() {
            let c = chars[end];
            let separator =
                (c == ' ' || c == '-') && chars.get(end + 1).is_some_and(char::is_ascii_digit);
            if c.is_ascii_digit() || separator {
                end += 1;
            } else {
                break;
            }
        }
        let run = &chars[i..end];
        let digits = run.iter().filter(|c| c.is_ascii_digit()).count();
        let inside_word = chars.get(end).is_some_and(|c| word(*c));
        if digits >= MIN_PHONE_DIGITS && !inside_word {
            let mut left = digits;
            for c in run {
                if c.is_ascii_digit() {
                    left -= 1;
                    out.push(if left < 3 { *c } else { '•' });
                } else {
                    out.push(*c);
                }
            }
        } else {
            out.extend(run);
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_masked_wherever_they_appear() {
        assert_eq!(
            phone_numbers("provider rejected the request (400): msisdn 254712000001 is barred"),
            "provider rejected the request (400): msisdn •••••••••001 is barred"
        );
        assert_eq!(phone_numbers("+254712000001"), "+•••••••••001");
        assert_eq!(
            phone_numbers("call 0712 000 001 now"),
            "call •••• ••• 001 now"
        );
        assert_eq!(
            phone_numbers("\"phone\":\"0712-000-001\""),
            "\"phone\":\"••••-•••-001\""
        );
    }

    #[test]
    fn ids_amounts_and_statuses_are_left_alone() {
        for text in [
            "pay_1234567890abcdef of co_0987654321",
            "refund re_123456789012 status 502",
            "amount 150000 KES",
            "550e8400-e29b-41d4-a716-446655440000",
            "2026-04-01T10:00:00Z",
            "TX-1234567890",
        ] {
            assert_eq!(phone_numbers(text), text);
        }
    }
}
