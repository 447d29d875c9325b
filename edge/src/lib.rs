//! Lipa's edge: a Cloudflare Worker that holds the merchant's provider credentials, serves
//! the merchant API and the widget API, verifies provider webhooks, and keeps each
//! checkout's state in a [`checkout::CheckoutObject`] Durable Object.

pub mod checkout;
pub mod config;
pub mod error;
pub mod event_log;
pub mod executor;
pub mod handlers;
pub mod hosted;
pub mod idempotency;
pub mod ids;
pub mod ip_limit;
pub mod limiter;
pub mod limits;
pub mod merchant_webhook;
pub mod outbox;
pub mod payout;
pub mod providers;
pub mod redact;
pub mod route;
pub mod routing;
pub mod signing;
pub mod sms;
pub mod store;
pub mod stored;
pub mod transfer;
pub mod webcrypto;

use worker::{event, Context, Env, Request, Response};

use config::Config;
use error::{EdgeError, EdgeResult};
use route::Route;

/// The Worker's entry point: route, run the handler, answer errors as JSON.
#[event(fetch)]
pub async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    match handle(req, &env).await {
        Ok(resp) => Ok(resp),
        Err(e) => e.into_response(),
    }
}

async fn handle(req: Request, env: &Env) -> EdgeResult<Response> {
    let method = req.method().to_string();
    let path = req.path();
    match route::route(&method, &path).map_err(EdgeError::Api)? {
        // Health also checks the configuration, so a bad routing table stops `xtask dev`
        // with the entry named.
        Route::Health => {
            let config = Config::from_env(env)?;
            handlers::health::health(&req, &config)
        }
        Route::PayPage(id) => hosted::page(req, env, &id).await,
        Route::HostedForm(id) => hosted::act(req, env, &id).await,
        Route::OpenApi => handlers::openapi::document(),
        Route::CreateCheckout => {
            let config = Config::from_env(env)?;
            handlers::merchant::create_checkout(req, env, &config).await
        }
        Route::Checkouts => {
            let config = Config::from_env(env)?;
            handlers::merchant::checkouts(req, env, &config).await
        }
        Route::Checkout(id) => {
            let config = Config::from_env(env)?;
            handlers::merchant::checkout(req, env, &config, &id).await
        }
        Route::Payment(id) => {
            let config = Config::from_env(env)?;
            handlers::merchant::payment(req, env, &config, &id).await
        }
        Route::Receipt(id) => {
            let config = Config::from_env(env)?;
            handlers::merchant::receipt(req, env, &config, &id).await
        }
        Route::CreateRefund => {
            let config = Config::from_env(env)?;
            handlers::merchant::create_refund(req, env, &config).await
        }
        Route::Refund(id) => {
            let config = Config::from_env(env)?;
            handlers::merchant::refund(req, env, &config, &id).await
        }
        Route::CreatePayout => {
            let config = Config::from_env(env)?;
            handlers::merchant::create_payout(req, env, &config).await
        }
        Route::Payout(id) => {
            let config = Config::from_env(env)?;
            handlers::merchant::payout(req, env, &config, &id).await
        }
        Route::Events => {
            let config = Config::from_env(env)?;
            handlers::events::list(req, env, &config).await
        }
        Route::Event(id) => {
            let config = Config::from_env(env)?;
            handlers::events::one(req, env, &config, &id).await
        }
        Route::ResendEvent(id) => {
            let config = Config::from_env(env)?;
            handlers::events::resend(req, env, &config, &id).await
        }
        Route::WidgetCheckout(id) => handlers::widget::view(req, env, &id).await,
        Route::StartPayment(id) => handlers::widget::start_payment(req, env, &id).await,
        Route::SubmitOtp(id) => handlers::widget::submit_otp(req, env, &id).await,
        Route::CheckPayment(id) => handlers::widget::check(req, env, &id).await,
        Route::SendCode(id) => handlers::widget::send_code(req, env, &id).await,
        Route::CheckCode(id) => handlers::widget::check_code(req, env, &id).await,
        Route::Live(id) => handlers::widget::live(req, env, &id).await,
        Route::ProviderWebhook(provider) => {
            let config = Config::from_env(env)?;
            handlers::webhooks::receive(req, env, &config, &provider).await
        }
    }
}
