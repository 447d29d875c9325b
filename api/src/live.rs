//! The live channel between a checkout and its widget: a WebSocket on which the edge sends
//! the checkout's latest payment on connect and after every change, so the widget's wait for
//! news ends at once. The names here are the whole protocol; the edge and the widget both use
//! them.

use crate::payment::PaymentView;

/// The subprotocol the channel speaks.
pub const PROTOCOL: &str = "lipa.v1";

/// Prefix of the second subprotocol, `cs.<client secret>`, which carries the checkout's client
/// secret: a browser's WebSocket cannot send an `Authorization` header.
pub const SECRET_PROTOCOL_PREFIX: &str = "cs.";

/// The last segment of the channel's path, after `/api/checkouts/{id}/`.
pub const PATH_SEGMENT: &str = "live";

/// Every message on the channel, a text frame: the latest payment as JSON, exactly as
/// `GET /api/checkouts/{id}` shows it in `payment`. Nothing is sent before the first payment.
pub type LiveMessage = PaymentView;

/// The channel's path for a checkout: `/api/checkouts/{id}/live`.
pub fn path(checkout_id: &str) -> String {
    format!("/api/checkouts/{checkout_id}/{PATH_SEGMENT}")
}

/// The subprotocol that carries a client secret.
pub fn secret_protocol(client_secret: &str) -> String {
    format!("{SECRET_PROTOCOL_PREFIX}{client_secret}")
}

/// The client secret among the subprotocols a client offered (the `Sec-WebSocket-Protocol`
/// header's comma-separated list), if any.
pub fn secret_from_protocols(header: &str) -> Option<&str> {
    header
        .split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix(SECRET_PROTOCOL_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_travels_as_a_subprotocol() {
        assert_eq!(path("co_1"), "/api/checkouts/co_1/live");
        let offered = format!("{PROTOCOL}, {}", secret_protocol("co_1_secret_x"));
        assert_eq!(secret_from_protocols(&offered), Some("co_1_secret_x"));
        assert_eq!(secret_from_protocols(PROTOCOL), None);
        assert_eq!(secret_from_protocols(""), None);
    }
}
