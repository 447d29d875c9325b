//! `JSON.stringify(JSON.parse(text))` as JavaScript computes it, for Little Pay's callback
//! signature (`timestamp + "." + JSON.stringify(payload)`): the signed bytes are not the
//! received bytes, so Lipa rebuilds them exactly.
//!
//! What JavaScript does and this reproduces: whitespace dropped; object keys that are
//! array indices (`"0"`, `"42"`, not `"01"`) first in ascending order, then the others in the
//! order they came; a repeated key keeps its first place and its last value; numbers parsed
//! to the nearest double and printed by ECMAScript's Number::toString (`1.0` → `1`,
//! `1e21` → `1e+21`, `-0` → `0`); strings escaped only for `"`, `\` and control characters.

/// A parsed JSON value that keeps object order.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Why the text is not JSON that JavaScript would parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotJson(pub usize);

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

/// `JSON.stringify(JSON.parse(text))`.
pub fn restringify(text: &str) -> Result<String, NotJson> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let value = p.value(0)?;
    p.whitespace();
    if p.pos != p.bytes.len() {
        return Err(NotJson(p.pos));
    }
    let mut out = String::with_capacity(text.len());
    write(&value, &mut out);
    Ok(out)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn whitespace(&mut self) {
        while matches!(self.bytes.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn fail<T>(&self) -> Result<T, NotJson> {
        Err(NotJson(self.pos))
    }

    fn eat(&mut self, literal: &[u8]) -> Result<(), NotJson> {
        if self.bytes.get(self.pos..self.pos + literal.len()) == Some(literal) {
            self.pos += literal.len();
            Ok(())
        } else {
            self.fail()
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, NotJson> {
        if depth > MAX_DEPTH {
            return self.fail();
        }
        self.whitespace();
        match self.bytes.get(self.pos) {
            Some(b'n') => self.eat(b"null").map(|()| Value::Null),
            Some(b't') => self.eat(b"true").map(|()| Value::Bool(true)),
            Some(b'f') => self.eat(b"false").map(|()| Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.whitespace();
                if self.bytes.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.whitespace();
                    match self.bytes.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return self.fail(),
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut members: Vec<(String, Value)> = Vec::new();
                self.whitespace();
                if self.bytes.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                loop {
                    self.whitespace();
                    if self.bytes.get(self.pos) != Some(&b'"') {
                        return self.fail();
                    }
                    let key = self.string()?;
                    self.whitespace();
                    self.eat(b":")?;
                    let value = self.value(depth + 1)?;
                    match members.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => members.push((key, value)),
                    }
                    self.whitespace();
                    match self.bytes.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Value::Object(members));
                        }
                        _ => return self.fail(),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => self.fail(),
        }
    }

    fn number(&mut self) -> Result<Value, NotJson> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return self.fail(),
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !matches!(self.bytes.get(self.pos), Some(b'0'..=b'9')) {
                return self.fail();
            }
            self.digits();
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.bytes.get(self.pos), Some(b'0'..=b'9')) {
                return self.fail();
            }
            self.digits();
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).map_err(|_| NotJson(start))?;
        text.parse::<f64>()
            .map(Value::Number)
            .map_err(|_| NotJson(start))
    }

    fn digits(&mut self) {
        while matches!(self.bytes.get(self.pos), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn hex4(&mut self) -> Result<u32, NotJson> {
        let h = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or(NotJson(self.pos))?;
        let s = std::str::from_utf8(h).map_err(|_| NotJson(self.pos))?;
        let v = u32::from_str_radix(s, 16).map_err(|_| NotJson(self.pos))?;
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, NotJson> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while !matches!(
                self.bytes.get(self.pos),
                None | Some(b'"' | b'\\' | 0..=0x1f)
            ) {
                self.pos += 1;
            }
            out.push_str(
                std::str::from_utf8(&self.bytes[start..self.pos]).map_err(|_| NotJson(start))?,
            );
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = *self.bytes.get(self.pos).ok_or(NotJson(self.pos))?;
                    self.pos += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                // A lone surrogate cannot be held in a Rust string: refused.
                                self.eat(b"\\u")?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.fail();
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).ok_or(NotJson(self.pos))?);
                        }
                        _ => return self.fail(),
                    }
                }
                _ => return self.fail(),
            }
        }
    }
}

/// Whether `key` is an array index, which JavaScript orders first among an object's keys.
fn array_index(key: &str) -> Option<u32> {
    if key == "0" {
        return Some(0);
    }
    if key.starts_with('0') || key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u32>().ok().filter(|n| *n != u32::MAX)
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_finite() {
                out.push_str(ryu_js::Buffer::new().format(*n));
            } else {
                out.push_str("null");
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            let mut indexed: Vec<(u32, &(String, Value))> = members
                .iter()
                .filter_map(|m| array_index(&m.0).map(|i| (i, m)))
                .collect();
            indexed.sort_by_key(|(i, _)| *i);
            let named = members.iter().filter(|m| array_index(&m.0).is_none());
            out.push('{');
            for (i, (key, value)) in indexed.into_iter().map(|(_, m)| m).chain(named).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write(value, out);
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_node_on_every_fixture() {
        let cases: Vec<(String, String)> =
            serde_json::from_str(include_str!("../../fixtures/little/stringify_cases.json"))
                .unwrap();
        assert!(cases.len() >= 5);
        for (input, expected) in cases {
            assert_eq!(restringify(&input).unwrap(), expected, "{input}");
        }
    }

    #[test]
    fn refuses_what_javascript_would_not_parse() {
        for bad in [
            "{",
            "[1,]",
            "{\"a\" 1}",
            "01",
            "1.",
            "\"\\ud800\"",
            "\"a\nb\"",
            "nul",
            "{} x",
            "-",
        ] {
            assert!(restringify(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(restringify(&deep).is_err(), "nesting is bounded");
    }
}
