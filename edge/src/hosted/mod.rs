//! The hosted payment page: what a checkout's `pay_url` (`/pay/{id}?t={link token}`) serves.
//!
//! It works in any browser. The edge renders every screen as HTML ([`html`]) from the
//! checkout the Checkout object answers, and the customer acts through plain forms posted
//! back to `/pay/{id}` ([`form`]): the same Checkout object messages the widget's API sends
//! (`View`, `StartPayment`, `SubmitOtp`, `Check`, and for a guest's number on a route that
//! verifies phones `SendCode` and `CheckCode`, [`verify`]), so every rule (spam limits, one
//! payment at a time, expiry, OTP attempts, SMS codes) is the object's, decided once. The
//! link token in the URL authorizes exactly what the client secret does; the forms carry it
//! in their body, never in a URL that leaves the page (`Referrer-Policy: no-referrer`, no
//! third-party resources), and a CSRF token bound to the checkout and the link.
//!
//! Where WebAssembly runs, `/widget/hosted.js` hands the page to the widget (which then
//! follows the payment live and sends the customer to `success_url` or `cancel_url`); where it
//! does not (Opera Mini's extreme mode, old or proxy browsers, scripts off) the forms stay.

pub mod form;
pub mod html;
pub mod qr;
pub mod verify;

use lipa_api::i18n::Locale;
use lipa_api::links::with_checkout_id;
use lipa_api::phone::Msisdn;
use lipa_api::{ApiError, CheckoutView, ErrorBody, ErrorCode, Operator};
use worker::{Env, Request, Response};

use crate::checkout::CheckoutMessage;
use crate::error::EdgeResult;
use crate::executor::now_ms;
use crate::handlers::{call_checkout, read_body};
use crate::ids;
use form::{csrf_ok, csrf_token, FormPost};
use html::{Notice, Page, Screen, Typed};
use verify::Verifying;

/// A checkout's `pay_url`.
pub fn pay_url(origin: &str, checkout_id: &str, link_token: &str) -> String {
    format!("{origin}{}", page_path(checkout_id, link_token, None))
}

/// The hosted page's path with its link token (and the language, when one was chosen).
fn page_path(checkout_id: &str, link_token: &str, locale: Option<Locale>) -> String {
    let mut path = format!("/pay/{checkout_id}?t={link_token}");
    if let Some(l) = locale {
        path.push_str("&l=");
        path.push_str(l.tag());
    }
    path
}

/// What a GET of `/pay/{id}` asked for.
struct Query {
    token: Option<String>,
    locale: Option<String>,
    no_refresh: bool,
}

fn query(req: &Request) -> EdgeResult<Query> {
    let mut q = Query {
        token: None,
        locale: None,
        no_refresh: false,
    };
    for (k, v) in req.url()?.query_pairs() {
        match k.as_ref() {
            "t" if q.token.is_none() => q.token = Some(v.into_owned()),
            "l" if q.locale.is_none() => q.locale = Some(v.into_owned()),
            "refresh" => q.no_refresh = v == "off",
            _ => {}
        }
    }
    Ok(q)
}

/// The customer's languages from `Accept-Language`, in the order sent.
fn browser_languages(req: &Request) -> Vec<String> {
    req.headers()
        .get("Accept-Language")
        .ok()
        .flatten()
        .unwrap_or_default()
        .split(',')
        .filter_map(|part| part.split(';').next())
        .map(|tag| tag.trim().to_string())
        .filter(|tag| !tag.is_empty())
        .collect()
}

/// `GET /pay/{id}`: with a link token, the hosted page; without one, the page that hosts the
/// embedded widget (its client secret in the fragment).
pub async fn page(req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    let q = query(&req)?;
    let Some(token) = q.token else {
        return crate::handlers::pages::pay_page();
    };
    let asked = q.locale.as_deref().and_then(Locale::from_tag);
    let locale = Locale::choose(q.locale.as_deref(), &browser_languages(&req));
    let origin = req.url()?.origin().ascii_serialization();
    let Some(checkout) = read_checkout(env, checkout_id, &token).await? else {
        return unavailable(locale);
    };
    let now = now_ms();
    let screen = Screen::of(&checkout, now);
    // Paid: straight back to the merchant, who confirms with the API.
    if let (Screen::Success(_), Some(url)) = (&screen, &checkout.success_url) {
        return see_other(&with_checkout_id(url, &checkout.id));
    }
    let ctx = Context {
        origin: &origin,
        token: &token,
        locale,
        asked,
        no_refresh: q.no_refresh,
    };
    respond(&ctx, &checkout, &screen, None, Typed::default(), now)
}

/// What every page of one request is rendered with.
struct Context<'a> {
    origin: &'a str,
    token: &'a str,
    locale: Locale,
    /// The language named in the URL or form, kept in the page's own links.
    asked: Option<Locale>,
    no_refresh: bool,
}

fn respond(
    ctx: &Context,
    checkout: &CheckoutView,
    screen: &Screen,
    notice: Option<Notice>,
    typed: Typed,
    now: i64,
) -> EdgeResult<Response> {
    let self_url = page_path(&checkout.id, ctx.token, ctx.asked);
    let csrf = csrf_token(&checkout.id, ctx.token);
    let status = html::status_of(screen, &notice);
    let page = Page {
        locale: ctx.locale,
        checkout,
        token: ctx.token,
        csrf: &csrf,
        self_url: &self_url,
        qr_svg: qr::svg(&pay_url(ctx.origin, &checkout.id, ctx.token)),
        now_ms: now,
        notice,
        typed,
        no_refresh: ctx.no_refresh,
    };
    let body = html::render(&page, screen);
    html_response(&body, status, checkout.success_url.as_deref())
}

/// `POST /pay/{id}`: one of the hosted page's forms.
pub async fn act(mut req: Request, env: &Env, checkout_id: &str) -> EdgeResult<Response> {
    let client_ip = req.headers().get("CF-Connecting-IP")?;
    let url = req.url()?;
    let origin = url.origin().ascii_serialization();
    // The edge's host as the customer reached it, for the SMS's WebOTP line.
    let host = url.host_str().map(str::to_string);
    let post = FormPost::parse(&read_body(&mut req).await?);
    let asked = Locale::from_tag(&post.locale);
    let locale = Locale::choose(Some(&post.locale), &browser_languages(&req));
    if post.token.is_empty() || !csrf_ok(&post.csrf, checkout_id, &post.token) {
        // A form of another checkout or another site: nothing is done.
        return unavailable(locale);
    }
    let token = post.token.clone();
    let Some(checkout) = read_checkout(env, checkout_id, &token).await? else {
        return unavailable(locale);
    };
    let ctx = Context {
        origin: &origin,
        token: &token,
        locale,
        asked,
        no_refresh: false,
    };
    let t = locale.text();
    let back = || see_other(&page_path(checkout_id, &token, asked));
    let typed = Typed {
        operator: Operator::from_id(&post.operator),
        phone: post.phone.clone(),
    };
    // The operator posted, if the checkout offers it.
    let offered = typed
        .operator
        .filter(|op| checkout.operators.iter().any(|o| o.id == *op));
    let pay = |operator: Operator| {
        start_payment(
            env,
            checkout_id,
            &token,
            client_ip.clone(),
            operator,
            &post.phone,
        )
    };
    let refused = match post.action.as_str() {
        "pay" => {
            // The checks the widget makes before it calls the edge, with the same functions
            // and words; the object checks everything again.
            let Some(operator) = offered else {
                let notice = Notice::Operator(t.choose_operator_error.to_string());
                return form_again(&ctx, &checkout, notice, typed);
            };
            if checkout.locked_phone.is_none() {
                if let Err(e) = Msisdn::parse(checkout.country, &post.phone) {
                    let notice = Notice::Phone(t.phone_error(e, checkout.country));
                    return form_again(&ctx, &checkout, notice, typed);
                }
            }
            // A guest on a route that verifies phones confirms the number first, as in the
            // widget: the object sends the code (or says none is needed).
            if verify::needs_code(&checkout, operator) {
                let sent = verify::send_code(
                    env,
                    checkout_id,
                    &token,
                    client_ip.clone(),
                    host,
                    operator,
                    &post.phone,
                )
                .await?;
                match sent {
                    Ok(v) if v.verified => {}
                    Ok(v) => {
                        let screen =
                            Screen::Verify(Verifying::sent(operator, &post.phone, &v, false));
                        return respond(&ctx, &checkout, &screen, None, Typed::default(), now_ms());
                    }
                    Err(e) => {
                        let words = verify::words(t, e.code).to_string();
                        let notice = if e.field.as_deref() == Some("phone") {
                            Notice::Phone(words)
                        } else {
                            Notice::Form(words)
                        };
                        return form_again(&ctx, &checkout, notice, typed);
                    }
                }
            }
            match pay(operator).await? {
                None => return back(),
                Some(e) => (e, typed),
            }
        }
        "verify" | "resend" => {
            let Some(operator) = offered else {
                return back();
            };
            let left = verify::tries_said(&post.left);
            let answer = if post.action == "verify" {
                verify::check_code(env, checkout_id, &token, &post.phone, &post.code).await?
            } else {
                verify::send_code(
                    env,
                    checkout_id,
                    &token,
                    client_ip.clone(),
                    host,
                    operator,
                    &post.phone,
                )
                .await?
            };
            match answer {
                // Confirmed (or needing no code after all): on to the payment, as Pay.
                Ok(v) if v.verified => match pay(operator).await? {
                    None => return back(),
                    Some(e) => (e, typed),
                },
                Ok(v) => {
                    let screen = Screen::Verify(Verifying::sent(operator, &post.phone, &v, true));
                    return respond(&ctx, &checkout, &screen, None, Typed::default(), now_ms());
                }
                // A number the object does not take (not one the page sent): the form again.
                Err(e)
                    if e.field.as_deref() == Some("phone") && e.code == ErrorCode::InvalidField =>
                {
                    let notice = Notice::Phone(verify::words(t, e.code).to_string());
                    return form_again(&ctx, &checkout, notice, typed);
                }
                Err(e) => {
                    let (notice, left) = verify::refusal(t, &e, left);
                    let screen =
                        Screen::Verify(Verifying::again(&checkout, operator, &post.phone, left));
                    return respond(
                        &ctx,
                        &checkout,
                        &screen,
                        Some(notice),
                        Typed::default(),
                        now_ms(),
                    );
                }
            }
        }
        "otp" => {
            let body = serde_json::json!({ "otp": post.otp });
            let message = CheckoutMessage::SubmitOtp {
                client_secret: token.clone(),
                body: body.to_string(),
            };
            match refusal(call_checkout(env, checkout_id, &message).await?).await? {
                None => return back(),
                Some(e) => (e, Typed::default()),
            }
        }
        "check" => {
            let message = CheckoutMessage::Check {
                client_secret: token.clone(),
            };
            match refusal(call_checkout(env, checkout_id, &message).await?).await? {
                None => return back(),
                Some(e) => (e, Typed::default()),
            }
        }
        _ => return back(),
    };
    let (e, typed) = refused;
    // Where the checkout stands now: a refusal may come from a second press while the first
    // started a payment, which the customer then follows (as the widget does).
    let Some(fresh) = read_checkout(env, checkout_id, &token).await? else {
        return unavailable(locale);
    };
    let now = now_ms();
    let screen = Screen::of(&fresh, now);
    let starting = matches!(post.action.as_str(), "pay" | "verify" | "resend");
    let notice = match (&screen, e.code) {
        (Screen::Otp(p), ErrorCode::OtpIncorrect) => {
            Notice::Otp((t.otp_wrong)(p.otp_attempts_left.unwrap_or_default()))
        }
        (Screen::Otp(_), ErrorCode::InvalidField) => Notice::Otp(t.otp_format.to_string()),
        (Screen::Otp(_), code) => Notice::Otp(t.refusal_for(&code_name(code)).to_string()),
        (Screen::Form, ErrorCode::PhoneNotVerified) => {
            Notice::Phone(t.verify.not_verified.to_string())
        }
        (Screen::Form, code) if e.field.as_deref() == Some("phone") => {
            Notice::Phone(t.refusal_for(&code_name(code)).to_string())
        }
        (Screen::Pending(_) | Screen::Redirect(..), _) if starting => return back(),
        (_, code) => Notice::Form(t.refusal_for(&code_name(code)).to_string()),
    };
    respond(&ctx, &fresh, &screen, Some(notice), typed, now)
}

/// `StartPayment`, as the widget's Pay: `None` once started, else the object's refusal.
async fn start_payment(
    env: &Env,
    checkout_id: &str,
    token: &str,
    client_ip: Option<String>,
    operator: Operator,
    phone: &str,
) -> EdgeResult<Option<ApiError>> {
    let body = serde_json::json!({ "operator": operator.id(), "phone": phone });
    let message = CheckoutMessage::StartPayment {
        client_secret: token.to_string(),
        client_ip,
        body: body.to_string(),
    };
    refusal(call_checkout(env, checkout_id, &message).await?).await
}

fn form_again(
    ctx: &Context,
    checkout: &CheckoutView,
    notice: Notice,
    typed: Typed,
) -> EdgeResult<Response> {
    let now = now_ms();
    respond(
        ctx,
        checkout,
        &Screen::of(checkout, now),
        Some(notice),
        typed,
        now,
    )
}

/// The checkout as the widget reads it, or `None` when the object does not know it under this
/// token (unknown checkout, wrong or foreign token: the same answer).
async fn read_checkout(
    env: &Env,
    checkout_id: &str,
    token: &str,
) -> EdgeResult<Option<CheckoutView>> {
    if !ids::is_checkout_id(checkout_id) {
        return Ok(None);
    }
    let message = CheckoutMessage::View {
        client_secret: token.to_string(),
    };
    let mut resp = call_checkout(env, checkout_id, &message).await?;
    match resp.status_code() {
        200 => Ok(Some(resp.json::<CheckoutView>().await?)),
        404 => Ok(None),
        _ => Err(read_refusal(resp).await.into()),
    }
}

/// `None` for a 2xx answer of the object, else its refusal.
async fn refusal(resp: Response) -> EdgeResult<Option<ApiError>> {
    if (200..300).contains(&resp.status_code()) {
        return Ok(None);
    }
    Ok(Some(read_refusal(resp).await))
}

async fn read_refusal(mut resp: Response) -> ApiError {
    match resp.json::<ErrorBody>().await {
        Ok(body) => body.error,
        Err(_) => ApiError::new(ErrorCode::Internal, "unreadable answer"),
    }
}

/// An error code's wire name (`payment_in_progress`), which the shared texts are keyed by.
fn code_name(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

/// A `303 See Other` to `location`.
fn see_other(location: &str) -> EdgeResult<Response> {
    let mut resp = Response::empty()?.with_status(303);
    let h = resp.headers_mut();
    h.set("Location", location)?;
    h.set("Cache-Control", "no-store")?;
    h.set("Referrer-Policy", "no-referrer")?;
    Ok(resp)
}

fn unavailable(locale: Locale) -> EdgeResult<Response> {
    html_response(&html::unavailable(locale), 404, None)
}

/// An HTML answer with the hosted page's headers: no caching, no referrer (the URL carries
/// the link token), never framed, scripts and styles from the edge only, forms posted to the
/// edge (and, since a form's redirect chain counts, on to the merchant's success URL).
fn html_response(body: &str, status: u16, success_url: Option<&str>) -> EdgeResult<Response> {
    let mut resp = Response::from_html(body)?.with_status(status);
    let form_action = match success_url.and_then(url_origin) {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_string(),
    };
    let h = resp.headers_mut();
    h.set(
        "Content-Security-Policy",
        &format!("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action {form_action}"),
    )?;
    h.set("Referrer-Policy", "no-referrer")?;
    h.set("X-Content-Type-Options", "nosniff")?;
    h.set("Cache-Control", "no-store")?;
    Ok(resp)
}

/// The origin (`https://shop.example:8443`) of a URL validated by
/// [`lipa_api::links::return_url`] (scheme, then a host of letters, digits, `.`, `-`, `:`
/// and brackets only).
fn url_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let safe = authority
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    (safe && !authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pay_url_carries_the_link_token_in_its_query() {
        assert_eq!(
            pay_url("https://lipa.example", "co_1", "lk_a"),
            "https://lipa.example/pay/co_1?t=lk_a"
        );
        assert_eq!(
            page_path("co_1", "lk_a", Some(Locale::Fr)),
            "/pay/co_1?t=lk_a&l=fr"
        );
    }

    #[test]
    fn the_form_action_origin_is_the_success_urls() {
        assert_eq!(
            url_origin("https://shop.example:8443/ok?x=1").as_deref(),
            Some("https://shop.example:8443")
        );
        assert_eq!(
            url_origin("http://127.0.0.1:8788/shop").as_deref(),
            Some("http://127.0.0.1:8788")
        );
        assert_eq!(url_origin("https://a;b/").as_deref(), None);
    }
}
