//! The demo's plain settings for the edge: the demo shop and the sandbox's accounts. They
//! live here, passed as `--var` flags by `dev`, `test`, `e2e` and `bench`, and nowhere in
//! the configuration a merchant deploys (`edge/wrangler.toml` holds none; `deploy` refuses a
//! file that carries one of them, and `cargo xtask test` checks the bundle has none).

/// The edge's demo vars that do not depend on ports (the sandbox URLs are added by
/// [`crate::system`], which knows them).
pub const EDGE_VARS: &[(&str, &str)] = &[
    ("MERCHANT_NAME", "Duka Demo Shop"),
    (
        "ROUTES",
        "UG/airtel_money=little, UG=honeycoin, KE/airtel_money=honeycoin, KE=crisscross, \
         GH=xtopay, CI=crisscross, RW=dollr, LR=dollr",
    ),
    ("CRISSCROSS_MERCHANT_ID", "m_demo"),
    ("CRISSCROSS_SIGNATURE_HEADER", "X-CrissCross-Signature"),
    ("HONEYCOIN_PUBLIC_KEY", "pk_sandbox_duka_demo"),
    ("XTOPAY_CLIENT_ID", "xt_sandbox_duka_demo"),
    ("LITTLE_TOKEN_ID", "tok_sandbox_duka_demo"),
    ("LITTLE_CLIENT_ID", "lt_sandbox_duka_demo"),
    ("DOLLR_CLIENT_ID", "dl_sandbox_duka_demo"),
    ("DOLLR_WALLET_ID", "wal_sandbox_duka_demo"),
    // The demo shop passes Dollr's fee on to the customer, so the widget shows it.
    ("DOLLR_FEE_BEARER", "CUSTOMER"),
];

/// In `test` and `bench` the edge runs mid-rotation: a second merchant key and webhook
/// secret are active, so every test also proves the current ones keep working while a next
/// one is set (the demo shop verifies with the current secret).
pub const ROTATION_IN_TESTS: [(&str, &str); 2] = [
    (
        "MERCHANT_SECRET_KEY_NEXT",
        "sk_test_duka_demo_next_000000000000",
    ),
    (
        "MERCHANT_WEBHOOK_SECRET_NEXT",
        "whsec_testDukaDemoNextWebhookSecret00000000000",
    ),
];

/// The demo's own values for settings a merchant sets (not the generic ones such as its
/// routing table or the default signature header): a deployment file may not carry them.
pub fn values() -> Vec<&'static str> {
    EDGE_VARS
        .iter()
        .filter(|(k, _)| {
            !matches!(
                *k,
                "ROUTES" | "CRISSCROSS_SIGNATURE_HEADER" | "DOLLR_FEE_BEARER"
            )
        })
        .map(|(_, v)| *v)
        .collect()
}

/// Text that marks the demo in a deployment's configuration: its values, the loopback hosts
/// of its URLs, the sandbox's and tests' credentials, and the fake D1 id it once had.
pub fn markers() -> Vec<&'static str> {
    let mut m = values();
    m.extend([
        "127.0.0.1",
        "localhost",
        "_sandbox_",
        "sk_test_",
        "whsec_test_",
        "whsec_testDukaDemo",
        "00000000-0000-4000-8000-000000000001",
    ]);
    m
}
