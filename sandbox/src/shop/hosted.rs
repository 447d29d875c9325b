//! The demo shop done the redirect way, as a WooCommerce or PHP shop does it: its page has no
//! script of Lipa's; "Pay on Lipa's page" posts to the shop's server, which creates a checkout
//! with `success_url` and `cancel_url` and sends the customer to its `pay_url`. Back on
//! `success_url`, the server does not trust the URL (anyone can type it): it reads the
//! checkout with its secret key and shows what Lipa's API says.

use serde_json::Value;
use worker::{Fetch, Headers, Method, Request, RequestInit, Response, Url};

use super::{create_checkout, escape, PRICES};
use crate::config::Config;

/// A page of the hosted flow: no script, no inline style (its CSP allows neither). Its form
/// may be redirected to the edge (`form-action` covers a form's redirects too).
fn html_page(config: &Config, title: &str, body: &str) -> worker::Result<Response> {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title} · Duka Demo Shop</title>\n<link rel=\"icon\" href=\"data:,\">\n</head>\n<body>\n<header><p>Duka Demo Shop</p></header>\n<main>\n<h1>{title}</h1>\n{body}</main>\n</body>\n</html>\n",
        title = escape(title),
    );
    let mut resp = Response::from_html(html)?;
    let h = resp.headers_mut();
    h.set(
        "Content-Security-Policy",
        &format!(
            "default-src 'none'; img-src data:; form-action 'self' {}; base-uri 'none'; frame-ancestors 'none'",
            config.edge_url
        ),
    )?;
    h.set("Cache-Control", "no-store")?;
    Ok(resp)
}

/// `GET /shop/hosted`: the product, and a form that pays on Lipa's page.
pub fn page(config: &Config) -> worker::Result<Response> {
    let (_, _, _, shown) = PRICES[0];
    html_page(
        config,
        "Kikoi beach wrap",
        &format!(
            "<p>Hand-woven cotton, 100 × 170 cm.</p>\n<p>Price: {shown}</p>\n<form method=\"post\" action=\"/shop/hosted/checkout\">\n<button type=\"submit\">Pay on Lipa's page</button>\n</form>\n"
        ),
    )
}

/// `POST /shop/hosted/checkout`: create the checkout with the shop's return URLs, then send
/// the customer to its `pay_url`.
pub async fn checkout(config: &Config, url: &Url) -> worker::Result<Response> {
    let origin = url.origin().ascii_serialization();
    let reference = format!("order-{}", crate::ids::new_id(10));
    let success = format!("{origin}/shop/hosted/return");
    let cancel = format!("{origin}/shop/hosted/cancelled");
    let created = create_checkout(
        config,
        PRICES[0],
        &reference,
        None,
        Some((&success, &cancel)),
    )
    .await?;
    let mut resp = Response::empty()?.with_status(303);
    resp.headers_mut().set("Location", &created.pay_url)?;
    Ok(resp)
}

/// `GET /shop/hosted/return?checkout_id=co_…`: the order's status, as Lipa's API tells the
/// shop's server (never as the URL claims).
pub async fn back(config: &Config, url: &Url) -> worker::Result<Response> {
    let id: String = url
        .query_pairs()
        .find(|(k, _)| k == "checkout_id")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !id.starts_with("co_") || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return html_page(config, "Order status", "<p>No checkout named.</p>\n");
    }
    let headers = Headers::new();
    headers.set(
        "Authorization",
        &format!("Bearer {}", config.merchant_secret_key),
    )?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let req = Request::new_with_init(&format!("{}/v1/checkouts/{id}", config.edge_url), &init)?;
    let mut resp = Fetch::Request(req).send().await?;
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    let status = v["status"].as_str().unwrap_or("unknown");
    let body = match (status, v["paid_payment_id"].as_str()) {
        ("paid", Some(payment)) => format!(
            "<p role=\"status\">Paid: Lipa's API confirms payment <code>{}</code> for checkout <code>{}</code>. Thank you!</p>\n",
            escape(payment),
            escape(&id)
        ),
        _ => format!(
            "<p role=\"status\">Not paid: Lipa's API says checkout <code>{}</code> is {}.</p>\n",
            escape(&id),
            escape(status)
        ),
    };
    html_page(config, "Order status", &body)
}

/// `GET /shop/hosted/cancelled`: the customer left Lipa's page without paying.
pub fn cancelled(config: &Config) -> worker::Result<Response> {
    html_page(
        config,
        "Payment cancelled",
        "<p>You left the payment page. Nothing was charged; a payment you approve later still reaches the shop.</p>\n<p><a href=\"/shop/hosted\">Back to the shop</a></p>\n",
    )
}
