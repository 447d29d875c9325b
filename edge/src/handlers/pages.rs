//! `GET /pay/{id}`: the page inside the iframe that boots the widget.

use worker::Response;

use crate::error::EdgeResult;

const PAY_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay with mobile money · Lipa</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/widget/widget.css">
<link rel="modulepreload" href="/widget/lipa_widget.js">
<link rel="preload" href="/widget/lipa_widget_bg.wasm" as="fetch" type="application/wasm" crossorigin>
<script type="module" src="/widget/boot.js"></script>
</head>
<body>
<main id="lipa" aria-live="polite"><p class="loading">Loading secure checkout…</p></main>
</body>
</html>
"#;

/// The widget's host page. It holds no checkout data: the widget reads the client secret
/// from the URL fragment (never sent to a server) and asks the API.
pub fn pay_page() -> EdgeResult<Response> {
    let mut resp = Response::from_html(PAY_PAGE)?;
    let h = resp.headers_mut();
    h.set(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'none'",
    )?;
    h.set("Referrer-Policy", "no-referrer")?;
    h.set("X-Content-Type-Options", "nosniff")?;
    h.set("Cache-Control", "no-store")?;
    Ok(resp)
}
