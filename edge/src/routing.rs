//! Which provider takes a payment: `ROUTES`, parsed and checked by
//! [`lipa_providers::routing`] (shared with `cargo xtask deploy`, which checks a
//! configuration with the same code before it is uploaded).

pub use lipa_providers::routing::{Route, RoutingTable, DEFAULT_ROUTES};
