//! Field-by-field parsing of request bodies, so that every refusal names its field.

use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode};
use crate::money::MAX_AMOUNT_MINOR;

pub(crate) fn parse_object(body: &str) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::new(
            ErrorCode::InvalidJson,
            "the body must be a JSON object",
        )),
        Err(e) => Err(ApiError::new(
            ErrorCode::InvalidJson,
            format!("the body is not valid JSON: {e}"),
        )),
    }
}

pub(crate) fn reject_unknown(map: &Map<String, Value>, known: &[&str]) -> Result<(), ApiError> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(ApiError::field(
            ErrorCode::InvalidField,
            k,
            format!("unknown field {k:?}; allowed: {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

pub(crate) fn required_str<'a>(
    map: &'a Map<String, Value>,
    field: &str,
) -> Result<&'a str, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Err(missing(field)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(invalid(field, format!("{field} must be a string"))),
    }
}

pub(crate) fn missing(field: &str) -> ApiError {
    ApiError::field(
        ErrorCode::MissingField,
        field,
        format!("{field} is required"),
    )
}

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidField, field, message)
}

/// A required positive whole amount in minor units.
pub(crate) fn required_amount(map: &Map<String, Value>, field: &str) -> Result<i64, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Err(missing(field)),
        Some(value) => amount(field, value),
    }
}

/// An optional positive whole amount in minor units.
pub(crate) fn optional_amount(
    map: &Map<String, Value>,
    field: &str,
) -> Result<Option<i64>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => amount(field, value).map(Some),
    }
}

fn amount(field: &str, value: &Value) -> Result<i64, ApiError> {
    let amount = match value {
        Value::Number(n) => n.as_i64().ok_or_else(|| {
            invalid(
                field,
                format!("{field} must be a whole number of minor units (e.g. 150000 for KES 1,500.00), without decimals"),
            )
        })?,
        _ => return Err(invalid(field, format!("{field} must be a number in minor units"))),
    };
    if amount <= 0 {
        return Err(invalid(field, format!("{field} must be greater than zero")));
    }
    if amount > MAX_AMOUNT_MINOR {
        return Err(invalid(
            field,
            format!("{field} is larger than Lipa accepts"),
        ));
    }
    Ok(amount)
}

/// An optional string, at most `max` characters.
pub(crate) fn optional_str<'a>(
    map: &'a Map<String, Value>,
    field: &str,
    max: usize,
) -> Result<Option<&'a str>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s)),
        Some(Value::String(_)) => Err(invalid(
            field,
            format!("{field} must be at most {max} characters"),
        )),
        Some(_) => Err(invalid(field, format!("{field} must be a string"))),
    }
}
