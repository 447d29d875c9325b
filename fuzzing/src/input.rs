//! How a fuzz input that is more than a body is read: `control` bytes, then header lines
//! (`Name: value`) up to the first blank line, then the body.
//!
//! ```text
//! \x01X-CrissCross-Signature: 0a1b…\n
//! \n
//! {"eventId":"ev1",…}
//! ```
//!
//! Without a blank line the whole rest is the body and there are no headers. Header lines are
//! read as UTF-8 (lossily); a line without `:` is a header with an empty value.

use lipa_providers::HttpResponse;

/// A fuzz input read as a small HTTP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    /// The leading control bytes (what they mean is the target's choice).
    pub control: &'a [u8],
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: &'a [u8],
}

impl<'a> Message<'a> {
    /// Reads `data` with `control_len` control bytes; `None` when it is shorter than that.
    pub fn parse(data: &'a [u8], control_len: usize) -> Option<Message<'a>> {
        let (control, rest) = data.split_at_checked(control_len)?;
        let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
            Some(at) => (&rest[..at], &rest[at + 2..]),
            None => (&rest[..0], rest),
        };
        let headers = head
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| {
                let line = String::from_utf8_lossy(line);
                match line.split_once(':') {
                    Some((name, value)) => (
                        name.to_string(),
                        value.strip_prefix(' ').unwrap_or(value).to_string(),
                    ),
                    None => (line.into_owned(), String::new()),
                }
            })
            .collect();
        Some(Message {
            control,
            headers,
            body,
        })
    }

    /// The bytes [`Message::parse`] reads back as this message (for seeds).
    pub fn encode(control: &[u8], headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
        let mut out = control.to_vec();
        for (name, value) in headers {
            out.extend_from_slice(format!("{name}: {value}\n").as_bytes());
        }
        out.push(b'\n');
        if headers.is_empty() {
            // A blank line right after the control bytes: no headers, and a body that may
            // itself hold blank lines.
            out.push(b'\n');
        }
        out.extend_from_slice(body);
        out
    }

    /// Replaces every header named `name` (case-insensitively) by one with `value`.
    pub fn set_header(&mut self, name: &str, value: String) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.insert(0, (name.to_string(), value));
    }

    /// Adds a header named `name` unless one is there.
    pub fn default_header(&mut self, name: &str, value: String) {
        if lipa_providers::http::find_header(&self.headers, name).is_none() {
            self.headers.push((name.to_string(), value));
        }
    }
}

/// A provider's response read from a fuzz input: two control bytes are the status code (big
/// endian), the headers are the response's, the body is read as UTF-8 lossily (as the
/// edge's executor reads text).
pub fn response(data: &[u8]) -> Option<HttpResponse> {
    let m = Message::parse(data, 2)?;
    let status = match m.control {
        [hi, lo] => u16::from_be_bytes([*hi, *lo]),
        _ => return None,
    };
    Some(HttpResponse {
        status,
        headers: m.headers,
        body: String::from_utf8_lossy(m.body).into_owned(),
    })
}

/// The bytes [`response`] reads back as this response (for seeds).
pub fn encode_response(status: u16, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    Message::encode(&status.to_be_bytes(), headers, body.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_reads_back_as_encoded() {
        let data = Message::encode(&[7], &[("A", "1"), ("B", " two:2")], b"x\n\ny");
        let m = Message::parse(&data, 1).unwrap();
        assert_eq!(m.control, &[7]);
        assert_eq!(
            m.headers,
            vec![("A".into(), "1".into()), ("B".into(), " two:2".into())]
        );
        assert_eq!(m.body, b"x\n\ny");
        let bare = Message::encode(&[1], &[], b"{}\n\n{}");
        assert_eq!(Message::parse(&bare, 1).unwrap().body, b"{}\n\n{}");
        assert!(Message::parse(b"", 1).is_none());
        let no_blank = Message::parse(b"\x00body", 1).unwrap();
        assert_eq!((no_blank.headers.len(), no_blank.body), (0, &b"body"[..]));
    }

    #[test]
    fn a_response_reads_back_as_encoded() {
        let data = encode_response(429, &[("Retry-After", "3")], "{}");
        let r = response(&data).unwrap();
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after"), Some("3"));
        assert_eq!(r.body, "{}");
    }
}
