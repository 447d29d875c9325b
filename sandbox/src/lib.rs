//! Lipa's sandbox: one Worker that plays the payment providers over real HTTP (written from
//! their guides, independently of Lipa's adapters), a handset page for prompts that wait for
//! a person, and a demo shop that is a merchant of Lipa.

pub mod config;
pub mod crisscross;
pub mod dollr;
pub mod handset;
pub mod honeycoin;
pub mod ids;
pub mod little;
pub mod log;
pub mod memory;
pub mod object;
pub mod shop;
pub mod signing;
pub mod sim;
pub mod sms;
pub mod xtopay;

use worker::{event, Context, Env, Method, Request, RequestInit, Response, Stub};

use config::Config;

/// The Durable Object namespace binding.
pub const STATE_BINDING: &str = "SANDBOX";

fn store(env: &Env) -> worker::Result<Stub> {
    env.durable_object(STATE_BINDING)?
        .id_from_name("sandbox")?
        .get_stub()
}

/// Percent-encodes a query value.
fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn forward_get(env: &Env, path_and_query: &str) -> worker::Result<Response> {
    store(env)?
        .fetch_with_str(&format!("https://sandbox{path_and_query}"))
        .await
}

async fn forward(env: &Env, mut req: Request, path_and_query: &str) -> worker::Result<Response> {
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(req.headers().clone());
    if !matches!(req.method(), Method::Get | Method::Head) {
        init.with_body(Some(req.text().await?.into()));
    }
    let inner = Request::new_with_init(&format!("https://sandbox{path_and_query}"), &init)?;
    store(env)?.fetch_with_request(inner).await
}

/// The Worker's entry point.
#[event(fetch)]
pub async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let config = Config::from_env(&env)?;
    let url = req.url()?;
    let path = url.path().to_string();
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    match (req.method(), path.as_str()) {
        (Method::Get, p) if p.starts_with("/little/stepup/") => {
            let id = &p["/little/stepup/".len()..];
            let mut info = forward_get(&env, &format!("/stepup-info?id={id}")).await?;
            let info: Option<(String, bool)> = info.json().await?;
            handset::operator_page(id, "little", info)
        }
        (_, p) if p.starts_with("/little/") => {
            let origin = encode_component(&url.origin().ascii_serialization());
            let sep = if query.is_empty() { "?" } else { "&" };
            forward(&env, req, &format!("{p}{query}{sep}origin={origin}")).await
        }
        (_, p)
            if p.starts_with("/crisscross/")
                || p.starts_with("/xtopay/")
                || p.starts_with("/dollr/") =>
        {
            let resp = forward(&env, req, &format!("{p}{query}")).await?;
            // The object asked for the answer to be held (…31): held here, in the Worker,
            // so the simulators keep answering everyone else meanwhile.
            let delay = resp
                .headers()
                .get(object::DELAY_HEADER)?
                .and_then(|v| v.parse::<u64>().ok());
            if let Some(ms) = delay {
                worker::Delay::from(std::time::Duration::from_millis(ms)).await;
            }
            Ok(resp)
        }
        (_, p) if p.starts_with(honeycoin::API_PREFIX) => {
            // The simulator needs its own origin for redirect pages.
            let origin = url.origin().ascii_serialization();
            let sep = if query.is_empty() { "?" } else { "&" };
            let encoded = encode_component(&origin);
            forward(&env, req, &format!("{p}{query}{sep}origin={encoded}")).await
        }
        (Method::Get, p) if p.starts_with("/honeycoin/redirect/") => {
            let id = &p["/honeycoin/redirect/".len()..];
            let mut info = forward_get(&env, &format!("/redirect-info?id={id}")).await?;
            let info: Option<(String, bool)> = info.json().await?;
            handset::operator_page(id, "honeycoin", info)
        }
        (Method::Get, "/") => Response::redirect(url.join("/shop")?),
        (Method::Get, "/health") => Response::ok("ok"),
        (Method::Get, "/shop") => shop::page(&config, &url).await,
        (Method::Get, "/shop/hosted") => shop::hosted::page(&config),
        (Method::Post, "/shop/hosted/checkout") => shop::hosted::checkout(&config, &url).await,
        (Method::Get, "/shop/hosted/return") => shop::hosted::back(&config, &url).await,
        (Method::Get, "/shop/hosted/cancelled") => shop::hosted::cancelled(&config),
        (Method::Post, "/shop/webhooks") => shop::receive(&config, &mut req, &store(&env)?).await,
        (Method::Get, "/shop/api/events") => {
            forward(&env, req, &format!("/shop/events{query}")).await
        }
        (Method::Get, "/handset") => handset::page(),
        (Method::Get, "/handset/api/prompts") => forward(&env, req, "/prompts").await,
        (Method::Post, "/sms/send") => forward(&env, req, "/sms/send").await,
        (Method::Get, "/handset/api/sms") => forward(&env, req, &format!("/sms{query}")).await,
        (Method::Post, "/handset/api/answer") => forward(&env, req, "/answer").await,
        (Method::Get, "/_sandbox/requests") => forward(&env, req, &format!("/log{query}")).await,
        (Method::Post, "/_sandbox/shop/fail-next") => forward(&env, req, "/shop/fail-next").await,
        (Method::Get, "/_sandbox/charges") => forward(&env, req, &format!("/charges{query}")).await,
        (Method::Post, "/_sandbox/crisscross/expire-sessions") => {
            forward(&env, req, &format!("/expire-crisscross-sessions{query}")).await
        }
        (Method::Post, "/_sandbox/dollr/burst-limit") => {
            forward(&env, req, "/dollr-burst-limit").await
        }
        (Method::Get, "/_sandbox/request-counts") => forward(&env, req, "/request-counts").await,
        (Method::Post, "/_sandbox/dollr/revoke-tokens") => {
            forward(&env, req, "/revoke-dollr-tokens").await
        }
        _ => Response::error("Not Found", 404),
    }
}
