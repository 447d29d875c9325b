//! Reads the browser's parsed JSON (a [`JsValue`]) into the `api` types with serde, through a
//! deserializer whose error keeps no message.
//!
//! The widget only needs to know *that* a value did not fit, never why: a refusal is shown
//! from its code, anything else as "unexpected". Serde's error constructors format their
//! message (`invalid type: floating point \`1.5\`, expected …`), and any deserializer whose
//! error keeps it (serde-wasm-bindgen's, serde_json's) ships `f64` formatting, the `Unexpected`
//! and `Expected` descriptions and `str` escaping in the bundle. [`Error::custom`] drops its
//! argument unread, so the linker drops all of that.

use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// Reads `value` as a `T`; `None` when it does not fit.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    T::deserialize(Value(value)).ok()
}

/// A value that did not fit: nothing more is kept.
#[derive(Debug)]
pub struct Error;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unexpected JSON")
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Error
    }
}

/// The largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// One JSON value as the browser parsed it.
struct Value(JsValue);

/// What a [`Value`] holds. Sorted out once, outside the code generic over serde's visitors,
/// which is copied for every type read.
enum Kind {
    Unit,
    Bool(bool),
    Negative(i64),
    Whole(u64),
    Float(f64),
    Text(String),
    Items(js_sys::Array),
    Entries(js_sys::Array),
    Other,
}

impl Kind {
    #[inline(never)]
    fn of(v: JsValue) -> Kind {
        if v.is_null() || v.is_undefined() {
            Kind::Unit
        } else if let Some(b) = v.as_bool() {
            Kind::Bool(b)
        } else if let Some(n) = v.as_f64() {
            // Whole numbers as integers, which serde's integer visitors accept.
            match (n.fract() == 0.0 && n.abs() <= MAX_SAFE, n < 0.0) {
                (true, true) => Kind::Negative(n as i64),
                (true, false) => Kind::Whole(n as u64),
                (false, _) => Kind::Float(n),
            }
        } else if let Some(s) = v.as_string() {
            Kind::Text(s)
        } else if js_sys::Array::is_array(&v) {
            Kind::Items(v.unchecked_into())
        } else if v.is_object() {
            Kind::Entries(js_sys::Object::entries(v.unchecked_ref()))
        } else {
            Kind::Other
        }
    }
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match Kind::of(self.0) {
            Kind::Unit => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(b),
            Kind::Negative(n) => visitor.visit_i64(n),
            Kind::Whole(n) => visitor.visit_u64(n),
            Kind::Float(n) => visitor.visit_f64(n),
            Kind::Text(s) => visitor.visit_string(s),
            Kind::Items(items) => visitor.visit_seq(de::value::SeqDeserializer::new(
                items.into_iter().map(Value),
            )),
            Kind::Entries(entries) => visitor.visit_map(Entries {
                entries: entries.into_iter(),
                value: None,
            }),
            Kind::Other => Err(Error),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Every enum the widget reads has unit variants only, which are strings (the tagged
        // ones, payment states and next actions, are read as flat structs): an object
        // (`{ "variant": value }`) fails, and no visitor gets the code to read one.
        visitor.visit_enum(self.0.as_string().ok_or(Error)?.into_deserializer())
    }

    // What the `api` types ask for, read straight from the value: each visitor then gets only
    // the one call it can accept (a struct's visitor no `visit_seq`, a field name's no
    // `visit_u64`), so the rest of its code is not linked. A value of another kind fails, as
    // the visitor would have failed it.

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(self.0.as_bool().ok_or(Error)?)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // A whole number only, as [`Kind::of`] sorts them (an integer's visitor refuses a
        // fraction), without the rest of `Kind::of`.
        let n = self.0.as_f64().ok_or(Error)?;
        match (n.fract() == 0.0 && n.abs() <= MAX_SAFE, n < 0.0) {
            (true, true) => visitor.visit_i64(n as i64),
            (true, false) => visitor.visit_u64(n as u64),
            (false, _) => Err(Error),
        }
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(self.0.as_string().ok_or(Error)?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if !js_sys::Array::is_array(&self.0) {
            return Err(Error);
        }
        let items: js_sys::Array = self.0.unchecked_into();
        visitor.visit_seq(de::value::SeqDeserializer::new(
            items.into_iter().map(Value),
        ))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if !self.0.is_object() || js_sys::Array::is_array(&self.0) {
            return Err(Error);
        }
        visitor.visit_map(Entries {
            entries: js_sys::Object::entries(self.0.unchecked_ref()).into_iter(),
            value: None,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // Any value JSON.parse makes may be ignored: nothing in it needs reading.
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u128 f32 f64 char
        bytes byte_buf unit unit_struct newtype_struct tuple
        tuple_struct
    }
}

impl<'de> IntoDeserializer<'de, Error> for Value {
    type Deserializer = Value;

    fn into_deserializer(self) -> Value {
        self
    }
}

/// An object's `[key, value]` pairs, in order.
struct Entries {
    entries: js_sys::ArrayIntoIter,
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(pair) = self.entries.next() else {
            return Ok(None);
        };
        let pair: js_sys::Array = pair.unchecked_into();
        self.value = Some(pair.get(1));
        let key = pair.get(0).as_string().ok_or(Error)?;
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(Value(self.value.take().ok_or(Error)?))
    }
}
