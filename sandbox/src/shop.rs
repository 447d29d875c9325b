//! The demo shop: a small merchant. Its "server" (this module) creates checkouts through the
//! edge's merchant API with the shop's secret key, renders the product page with Lipa's script
//! tag, and receives Lipa's signed webhooks, verifying them as any merchant would.
//! [`hosted`] is the same shop done the redirect way: no script on the shop's page, the
//! customer sent to the checkout's `pay_url` and back.

pub mod hosted;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use worker::{Fetch, Headers, Method, Request, RequestInit, Response};

use crate::config::Config;
use crate::signing::{verify_lipa_signature, verify_standard_webhook, StandardHeaders};

/// The demo product's price by country: (country, currency, minor units, shown as).
pub const PRICES: &[(&str, &str, i64, &str)] = &[
    ("KE", "KES", 150_000, "KES 1,500.00"),
    ("UG", "UGX", 5_000, "UGX 5,000"),
    ("GH", "GHS", 5_000, "GHS 50.00"),
    ("RW", "RWF", 5_000, "RWF 5,000"),
    ("LR", "LRD", 150_000, "LRD 1,500.00"),
];
/// How far a webhook's timestamp may be from now.
pub const TOLERANCE_S: i64 = 300;

/// A webhook the shop received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReceivedEvent {
    /// Lipa's event id.
    pub event_id: String,
    /// `payment.succeeded`, …
    pub kind: String,
    /// The checkout it is about.
    pub checkout_id: String,
    /// The payment it is about.
    pub payment_id: String,
    /// The refund or payout it is about (`data.id`), if it is about one.
    #[serde(default)]
    pub object_id: String,
    /// Whether both `Lipa-Signature` and the Standard Webhooks headers verified.
    pub verified: bool,
    /// When it arrived, Unix ms.
    pub received_at_ms: i64,
}

/// A checkout the shop created.
struct Created {
    id: String,
    client_secret: String,
    pay_url: String,
}

/// Creates the page's checkout as a careful merchant server does: with an Idempotency-Key
/// (the order reference), sent once more when the answer is lost (a network error or a 5xx),
/// so a retry can never make a second checkout.
async fn create_checkout(
    config: &Config,
    price: (&str, &str, i64, &str),
    reference: &str,
    phone: Option<&str>,
    returns: Option<(&str, &str)>,
) -> worker::Result<Created> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    headers.set(
        "Authorization",
        &format!("Bearer {}", config.merchant_secret_key),
    )?;
    headers.set("Idempotency-Key", reference)?;
    let mut body = json!({
        "amount": price.2,
        "currency": price.1,
        "country": price.0,
        "reference": reference,
        "description": "Kikoi beach wrap",
        "customer_phone": phone,
    });
    if let Some((success_url, cancel_url)) = returns {
        body["success_url"] = json!(success_url);
        body["cancel_url"] = json!(cancel_url);
    }
    let send = || async {
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers.clone())
            .with_body(Some(body.to_string().into()));
        let req = Request::new_with_init(&format!("{}/v1/checkouts", config.edge_url), &init)?;
        Fetch::Request(req).send().await
    };
    let mut resp = match send().await {
        Ok(r) if r.status_code() < 500 => r,
        _ => send().await?,
    };
    let v: Value = resp.json().await?;
    match (
        v["id"].as_str(),
        v["client_secret"].as_str(),
        v["pay_url"].as_str(),
    ) {
        (Some(id), Some(cs), Some(pay_url)) => Ok(Created {
            id: id.to_string(),
            client_secret: cs.to_string(),
            pay_url: pay_url.to_string(),
        }),
        _ => Err(worker::Error::RustError(format!(
            "the edge refused the checkout: {v}"
        ))),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The demo shop page's Content-Security-Policy: strict (no inline code without this
/// response's `nonce`, nothing from anywhere else), plus exactly what the README tells a
/// merchant to add for Lipa: `script-src <edge>` (lipa.js) and `frame-src <edge>` (the
/// widget). `connect-src 'self'` is the shop's own webhook poll: lipa.js fetches nothing.
pub fn content_security_policy(edge: &str, nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}' {edge}; frame-src {edge}; \
         connect-src 'self'; style-src 'nonce-{nonce}'; img-src data:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// `GET /shop`: the product page, using the declarative script tag. `?integration=js` uses
/// `Lipa.open` with callbacks instead; `?locale=fr` asks the widget for a language, and
/// `&appearance={…}` (JSON, with `integration=js`) passes the merchant's look.
pub async fn page(config: &Config, url: &worker::Url) -> worker::Result<Response> {
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let programmatic = param("integration").as_deref() == Some("js");
    let reference = format!("order-{}", crate::ids::new_id(10));
    let country = param("country").unwrap_or_else(|| "KE".into());
    let price = PRICES
        .iter()
        .copied()
        .find(|p| p.0 == country)
        .unwrap_or(PRICES[0]);
    let created =
        create_checkout(config, price, &reference, param("phone").as_deref(), None).await?;
    let shown = price.3;
    let edge = escape(&config.edge_url);
    let (co, cs) = (escape(&created.id), escape(&created.client_secret));
    // A language tag is letters and dashes: anything else is dropped, never echoed.
    let locale: String = param("locale")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphabetic() || *c == '-')
        .take(12)
        .collect();
    let appearance = escape(&param("appearance").unwrap_or_else(|| "null".into()));
    // Inline code runs only with this response's nonce (letters and digits).
    let nonce = crate::ids::new_id(24);
    let embed = if programmatic {
        format!(
            r#"<button type="button" id="pay" data-appearance="{appearance}">Pay with mobile money</button>
<script src="{edge}/lipa.js"></script>
<script nonce="{nonce}">
  document.getElementById('pay').addEventListener('click', () => Lipa.open({{
    checkout: '{co}', clientSecret: '{cs}', locale: '{locale}' || undefined,
    appearance: JSON.parse(document.getElementById('pay').dataset.appearance),
    onLoad: () => shop.callback('load', {{}}),
    onSuccess: (p) => shop.callback('success', p),
    onFailure: (p) => shop.callback('failure', p),
    onClose: () => shop.callback('close', {{}}),
    onError: (e) => shop.callback('error', e),
  }}));
</script>"#
        )
    } else {
        format!(
            r#"<script src="{edge}/lipa.js" data-checkout="{co}" data-client-secret="{cs}" data-locale="{locale}" data-label="Pay with mobile money"></script>
<script nonce="{nonce}">
  for (const name of ['load', 'success', 'failure', 'close', 'error']) {{
    document.addEventListener('lipa:' + name, (e) => shop.callback(name, e.detail || {{}}));
  }}
</script>"#
        )
    };
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Duka Demo Shop</title>
<link rel="icon" href="data:,">
<style nonce="{nonce}">
  body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }}
  .product {{ border: 1px solid #ddd; border-radius: 12px; padding: 1.5rem; }}
  .price {{ font-size: 1.5rem; font-weight: 700; }}
  button {{ font: inherit; padding: .75rem 1.25rem; border-radius: 8px; border: 0; background: #0a7d45; color: #fff; cursor: pointer; }}
  #status:empty, #webhooks:empty {{ display: none; }}
  .ok {{ color: #0a7d45; }}
</style>
</head>
<body>
<header><h1>Duka Demo Shop</h1><p>A sandbox merchant for Lipa. No real money moves.</p></header>
<main>
<section class="product" aria-labelledby="product-name">
  <h2 id="product-name">Kikoi beach wrap</h2>
  <p>Hand-woven cotton, 100 × 170 cm.</p>
  <p class="price" aria-label="Price">{shown}</p>
  <p><small>Order {reference} · checkout <code id="checkout-id">{co}</code></small></p>
  {embed}
</section>
<section aria-labelledby="result-heading">
  <h2 id="result-heading">Order status</h2>
  <p id="status" role="status"></p>
  <h3>Callbacks</h3>
  <ul id="callbacks" aria-label="Callbacks"></ul>
  <h3>Webhooks received by this shop's server</h3>
  <ul id="webhooks" aria-label="Webhooks received"></ul>
</section>
</main>
<script nonce="{nonce}">
  const shop = {{
    callback(name, detail) {{
      const li = document.createElement('li');
      li.textContent = 'on' + name[0].toUpperCase() + name.slice(1) + (detail.payment_id ? ' · ' + detail.payment_id : '') + (detail.replayed ? ' · replayed' : '') + (detail.code ? ' · ' + detail.code : '');
      document.getElementById('callbacks').append(li);
      if (name === 'success') document.getElementById('status').textContent = 'Thank you! Your payment was received.';
      if (name === 'failure') document.getElementById('status').textContent = 'The payment did not go through.';
    }},
  }};
  async function pollWebhooks() {{
    try {{
      const r = await fetch('/shop/api/events?checkout={co}');
      const events = await r.json();
      const ul = document.getElementById('webhooks');
      ul.replaceChildren(...events.map((e) => {{
        const li = document.createElement('li');
        li.textContent = e.kind + ' · ' + e.event_id + ' · ' + (e.verified ? 'signature verified' : 'signature INVALID');
        li.className = e.verified ? 'ok' : '';
        return li;
      }}));
    }} catch (_) {{}}
    setTimeout(pollWebhooks, 1000);
  }}
  pollWebhooks();
</script>
</body>
</html>
"#
    );
    let mut resp = Response::from_html(html)?;
    resp.headers_mut().set(
        "Content-Security-Policy",
        &content_security_policy(&config.edge_url, &nonce),
    )?;
    Ok(resp)
}

/// `POST /shop/webhooks`: verify `Lipa-Signature` and the Standard Webhooks headers (both:
/// the shop proves each scheme), then record the event. A forged or stale
/// delivery is answered 400 and recorded as unverified (so the page shows it).
pub async fn receive(
    config: &Config,
    req: &mut Request,
    store: &worker::Stub,
) -> worker::Result<Response> {
    let header = req.headers().get("Lipa-Signature")?;
    let (id, timestamp, signature) = (
        req.headers().get("webhook-id")?,
        req.headers().get("webhook-timestamp")?,
        req.headers().get("webhook-signature")?,
    );
    let body = req.text().await?;
    // A test can make the shop's server fail its next deliveries, to see Lipa retry.
    let mut fail = store
        .fetch_with_request(Request::new_with_init(
            "https://sandbox/shop/take-failure",
            RequestInit::new().with_method(Method::Post),
        )?)
        .await?;
    if fail.json::<bool>().await.unwrap_or(false) {
        return Ok(
            Response::from_json(&json!({"error": "the shop is down (on purpose)"}))?
                .with_status(503),
        );
    }
    let now = worker::Date::now().as_millis() as i64;
    let verdict = verify_lipa_signature(
        &config.merchant_webhook_secret,
        header.as_deref(),
        &body,
        now / 1000,
        TOLERANCE_S,
    )
    .and_then(|()| {
        let standard = StandardHeaders {
            id: id.as_deref(),
            timestamp: timestamp.as_deref(),
            signature: signature.as_deref(),
        };
        verify_standard_webhook(
            &config.merchant_webhook_secret,
            standard,
            &body,
            now / 1000,
            TOLERANCE_S,
        )
    });
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let event = ReceivedEvent {
        event_id: v["id"].as_str().unwrap_or("").to_string(),
        kind: v["type"].as_str().unwrap_or("").to_string(),
        checkout_id: v["data"]["checkout_id"].as_str().unwrap_or("").to_string(),
        payment_id: v["data"]["payment_id"].as_str().unwrap_or("").to_string(),
        object_id: v["data"]["id"].as_str().unwrap_or("").to_string(),
        verified: verdict.is_ok(),
        received_at_ms: now,
    };
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(serde_json::to_string(&event)?.into()));
    store
        .fetch_with_request(Request::new_with_init(
            "https://sandbox/shop/events",
            &init,
        )?)
        .await?;
    match verdict {
        Ok(()) => Response::from_json(&json!({"received": true})),
        Err(e) => Ok(Response::from_json(&json!({"error": format!("{e:?}")}))?.with_status(400)),
    }
}
