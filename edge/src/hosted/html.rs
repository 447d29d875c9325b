//! The hosted page's HTML, rendered from a checkout as the widget reads it: pure functions,
//! every value written through [`esc`] (text and attribute values alike).
//!
//! The page is complete without any script: forms post to the edge, the pending screen
//! reloads itself (`<meta http-equiv="refresh">`, which the customer can stop), the one-time
//! code and the operator's page are a form and a link. Interactive screens also load
//! `/widget/hosted.js`, which hands the page to the WebAssembly widget where it can run.

use lipa_api::i18n::{Locale, Text};
use lipa_api::links::with_checkout_id;
use lipa_api::{CheckoutView, NextAction, Operator, PaymentStatus, PaymentView};

use super::verify::Verifying;

/// How often the pending screen reloads itself, seconds.
pub const REFRESH_S: u32 = 4;

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What the customer typed, echoed back into the form after a refusal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    /// The operator chosen.
    pub operator: Option<Operator>,
    /// The number as typed.
    pub phone: String,
}

/// A refusal to show on the page: where, and in the customer's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// At the operator choice.
    Operator(String),
    /// At the phone field.
    Phone(String),
    /// At the one-time code field.
    Otp(String),
    /// At the phone-verification code field.
    Code(String),
    /// Above the form.
    Form(String),
}

/// Everything a page is rendered from.
pub struct Page<'a> {
    /// The customer's language.
    pub locale: Locale,
    /// The checkout as the Checkout object answered it.
    pub checkout: &'a CheckoutView,
    /// The link token (hidden form field; never put in a URL the page links elsewhere).
    pub token: &'a str,
    /// The CSRF token bound to this checkout and link.
    pub csrf: &'a str,
    /// The page's own URL, relative (`/pay/co_…?t=…`), for reloads and links.
    pub self_url: &'a str,
    /// The QR code of the page's absolute URL, as an SVG document.
    pub qr_svg: Option<String>,
    /// Now, Unix ms.
    pub now_ms: i64,
    /// A refusal to show.
    pub notice: Option<Notice>,
    /// What the customer typed.
    pub typed: Typed,
    /// The customer asked the pending screen to stop reloading itself.
    pub no_refresh: bool,
}

/// Which screen the checkout's state calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Choose an operator, type a number, pay (after a failed attempt too).
    Form,
    /// "Confirm your number": the code sent by SMS to a guest's number, on a route that
    /// verifies phones (shown in answer to a form, never by [`Screen::of`]).
    Verify(Verifying),
    /// The prompt is on the phone.
    Pending(PaymentView),
    /// A one-time code is needed.
    Otp(PaymentView),
    /// The operator's own page must be visited.
    Redirect(PaymentView, String),
    /// Paid.
    Success(PaymentView),
    /// The last attempt failed for good: nothing more can be paid here.
    Closed(PaymentView),
    /// The checkout expired with nothing live on it.
    Expired,
}

impl Screen {
    /// The screen for a checkout at `now_ms`. A payment live at the expiry is still shown
    /// (and followed) to its end; only a checkout with nothing live shows as expired.
    pub fn of(checkout: &CheckoutView, now_ms: i64) -> Screen {
        let expired = checkout.expires_at_ms.is_some_and(|at| now_ms >= at);
        match checkout.payment.clone() {
            Some(p) => match p.status.clone() {
                PaymentStatus::Succeeded => Screen::Success(p),
                PaymentStatus::Created | PaymentStatus::Pending => Screen::Pending(p),
                PaymentStatus::ActionRequired {
                    action: NextAction::Otp,
                } => Screen::Otp(p),
                PaymentStatus::ActionRequired {
                    action: NextAction::Redirect { url },
                } => Screen::Redirect(p, url),
                _ if expired => Screen::Expired,
                s if s.allows_new_payment() => Screen::Form,
                _ => Screen::Closed(p),
            },
            None if expired => Screen::Expired,
            None => Screen::Form,
        }
    }
}

/// The HTTP status a screen is answered with.
pub fn status_of(screen: &Screen, notice: &Option<Notice>) -> u16 {
    match (screen, notice) {
        (Screen::Expired, _) => 410,
        (_, Some(_)) => 422,
        _ => 200,
    }
}

/// The whole page for `screen`.
pub fn render(page: &Page, screen: &Screen) -> String {
    let t = page.locale.text();
    let co = page.checkout;
    let (title, body) = match screen {
        Screen::Form => form_screen(page, t),
        Screen::Verify(v) => verify_screen(page, t, v),
        Screen::Pending(p) => pending_screen(page, t, p),
        Screen::Otp(p) => otp_screen(page, t, p),
        Screen::Redirect(p, url) => redirect_screen(page, t, p, url),
        Screen::Success(p) => success_screen(page, t, p),
        Screen::Closed(p) => closed_screen(t, p),
        Screen::Expired => expired_screen(page, t),
    };
    // The pending screens reload themselves: without scripts through the `<noscript>` meta
    // refresh; with scripts but no WebAssembly, `hosted.js` adds the same element from
    // `data-refresh` (where the widget runs, it follows the payment live instead).
    let reloads = matches!(screen, Screen::Pending(_) | Screen::Redirect(..)) && !page.no_refresh;
    let refresh = if reloads {
        format!(
            "<noscript><meta http-equiv=\"refresh\" content=\"{REFRESH_S};url={}\"></noscript>\n",
            esc(page.self_url)
        )
    } else {
        String::new()
    };
    // The widget takes over only where a payment can still be made or followed.
    let enhance = match screen {
        Screen::Success(_) | Screen::Closed(_) | Screen::Expired => String::new(),
        _ => "<script defer src=\"/widget/hosted.js\"></script>\n".to_string(),
    };
    let leave = match (&co.cancel_url, screen) {
        (
            Some(url),
            Screen::Form
            | Screen::Verify(_)
            | Screen::Pending(_)
            | Screen::Otp(_)
            | Screen::Redirect(..),
        ) => {
            format!(
                "<p class=\"leave\"><a href=\"{}\" rel=\"noreferrer\">{}</a></p>\n",
                esc(url),
                esc(&(t.cancel_return)(&co.merchant_name))
            )
        }
        _ => String::new(),
    };
    let qr = match (&page.qr_svg, screen) {
        (Some(svg), Screen::Form | Screen::Pending(_) | Screen::Otp(_)) => format!(
            "<aside class=\"qr\" aria-labelledby=\"qr-title\">\n<h2 id=\"qr-title\">{}</h2>\n<p>{}</p>\n<img src=\"data:image/svg+xml;base64,{}\" alt=\"{}\" width=\"176\" height=\"176\">\n</aside>\n",
            esc(t.qr_title),
            esc(t.qr_body),
            base64_encode(svg.as_bytes()),
            esc(t.qr_alt)
        ),
        _ => String::new(),
    };
    let data = format!(
        " data-token=\"{}\" data-locale=\"{}\" data-success-url=\"{}\" data-cancel-url=\"{}\" data-self-url=\"{}\"{}",
        esc(page.token),
        page.locale.tag(),
        esc(&co
            .success_url
            .as_deref()
            .map(|u| with_checkout_id(u, &co.id))
            .unwrap_or_default()),
        esc(co.cancel_url.as_deref().unwrap_or_default()),
        esc(page.self_url),
        if reloads {
            format!(" data-refresh=\"{REFRESH_S}\"")
        } else {
            String::new()
        },
    );
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n{refresh}<title>{title} · {merchant}</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/widget/widget.css\">\n<link rel=\"stylesheet\" href=\"/widget/hosted.css\">\n{enhance}</head>\n<body>\n<div class=\"hosted\">\n<main>\n<div id=\"lipa\" hidden{data}></div>\n<div id=\"lipa-page\">\n{body}</div>\n{leave}</main>\n{qr}</div>\n</body>\n</html>\n",
        lang = page.locale.tag(),
        title = esc(&title),
        merchant = esc(&co.merchant_name),
    )
}

/// The form's hidden fields: the link token, the CSRF token, the language and the action.
fn hidden(page: &Page, action: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"t\" value=\"{}\">\n<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n<input type=\"hidden\" name=\"l\" value=\"{}\">\n<input type=\"hidden\" name=\"action\" value=\"{action}\">\n",
        esc(page.token),
        esc(page.csrf),
        page.locale.tag(),
    )
}

fn form_action(page: &Page) -> String {
    format!("/pay/{}", esc(&page.checkout.id))
}

/// The checkout's summary: merchant, the heading, what is paid for.
fn summary(co: &CheckoutView, heading: &str) -> String {
    format!(
        "<header class=\"summary\">\n<p class=\"merchant\">{}</p>\n<h1>{}</h1>\n<p class=\"description\">{}</p>\n</header>\n",
        esc(&co.merchant_name),
        esc(heading),
        esc(&co.description)
    )
}

fn error_line(id: &str, message: Option<&String>) -> String {
    match message {
        Some(m) => format!(
            "<p id=\"{id}\" class=\"error\" role=\"alert\">{}</p>\n",
            esc(m)
        ),
        None => String::new(),
    }
}

fn form_screen(page: &Page, t: &Text) -> (String, String) {
    let co = page.checkout;
    let heading = (t.pay)(&t.amount(co.amount, co.currency));
    let mut body = String::new();
    // Why the last attempt ended, above a form to try again.
    if let Some(p) = &co.payment {
        match &p.status {
            PaymentStatus::Failed { reason, .. } => body.push_str(&format!(
                "<div class=\"outcome\" role=\"status\"><h2>{}</h2><p>{}</p></div>\n",
                esc(t.failed_title),
                esc((t.failure)(*reason))
            )),
            PaymentStatus::Expired => body.push_str(&format!(
                "<div class=\"outcome\" role=\"status\"><h2>{}</h2><p>{}</p></div>\n",
                esc(t.expired_title),
                esc(t.expired_body)
            )),
            _ => {}
        }
    }
    body.push_str(&pay_form(page, t, &heading));
    (heading, body)
}

/// The operator choice, the phone field and the Pay button, as a plain form.
fn pay_form(page: &Page, t: &Text, heading: &str) -> String {
    let co = page.checkout;
    let notice = page.notice.as_ref();
    let (op_error, phone_error, form_error) = match notice {
        Some(Notice::Operator(m)) => (Some(m), None, None),
        Some(Notice::Phone(m)) => (None, Some(m), None),
        Some(Notice::Form(m)) | Some(Notice::Otp(m)) | Some(Notice::Code(m)) => {
            (None, None, Some(m))
        }
        None => (None, None, None),
    };
    let chosen = page
        .typed
        .operator
        .or_else(|| co.operators.first().map(|o| o.id));
    let operators: String = co
        .operators
        .iter()
        .map(|o| {
            let fee = if o.fee > 0 {
                format!(
                    " <span class=\"hint\">{}</span>",
                    esc(&(t.fee_included)(&t.amount(o.fee, co.currency)))
                )
            } else {
                String::new()
            };
            format!(
                "<label class=\"operator\"><input type=\"radio\" name=\"operator\" value=\"{id}\"{checked}> <span class=\"badge\" aria-hidden=\"true\" data-operator=\"{id}\">{initials}</span> <span class=\"name\">{name}</span>{fee}</label>\n",
                id = o.id.id(),
                checked = if Some(o.id) == chosen { " checked" } else { "" },
                initials = esc(&initials(&o.name)),
                name = esc(&o.name),
            )
        })
        .collect();
    let dialling = format!("+{}", co.country.numbering().dialling_code);
    let (value, readonly, hint) = match &co.locked_phone {
        Some(locked) => (locked.clone(), " readonly", t.phone_locked.to_string()),
        None => (
            page.typed.phone.clone(),
            "",
            (t.phone_example)(&lipa_api::phone::example_national(co.country)),
        ),
    };
    let described = if phone_error.is_some() {
        "dialling-code phone-hint phone-error"
    } else {
        "dialling-code phone-hint"
    };
    format!(
        "<form class=\"screen\" method=\"post\" action=\"{action}\">\n{summary}{hidden}{form_error}<fieldset{op_described}>\n<legend>{legend}</legend>\n<div class=\"operators\">\n{operators}</div>\n{op_error}</fieldset>\n<label for=\"phone\" class=\"field-label\">{phone_label}</label>\n<div class=\"phone{invalid_class}\"><span class=\"prefix\" id=\"dialling-code\">{dialling}</span><input id=\"phone\" name=\"phone\" type=\"tel\" inputmode=\"tel\" autocomplete=\"tel-national\" value=\"{value}\"{readonly} aria-describedby=\"{described}\" aria-invalid=\"{invalid}\"></div>\n<p id=\"phone-hint\" class=\"hint\">{hint}</p>\n{phone_error}<button type=\"submit\" class=\"primary\">{pay}</button>\n<p class=\"secured\">{secured}</p>\n</form>\n",
        action = form_action(page),
        summary = summary(co, heading),
        hidden = hidden(page, "pay"),
        form_error = error_line("form-error", form_error),
        op_described = if op_error.is_some() {
            " aria-describedby=\"operator-error\""
        } else {
            ""
        },
        legend = esc(t.choose_operator),
        op_error = error_line("operator-error", op_error),
        phone_label = esc(t.phone_label),
        invalid_class = if phone_error.is_some() { " invalid" } else { "" },
        value = esc(&value),
        invalid = phone_error.is_some(),
        hint = esc(&hint),
        phone_error = error_line("phone-error", phone_error),
        pay = esc(heading),
        secured = esc(t.secured),
    )
}

fn pending_screen(page: &Page, t: &Text, p: &PaymentView) -> (String, String) {
    let mut body = format!(
        "<section class=\"screen pending\" aria-labelledby=\"pending-title\">\n<h1 id=\"pending-title\">{}</h1>\n<p class=\"instruction\">{}<span class=\"number\">{}</span>{}</p>\n",
        esc(t.pending_title),
        esc(&(t.prompt_sent)(p.operator.name())),
        esc(&p.phone_masked),
        esc(t.enter_pin)
    );
    // Past the approval window another number may be tried; the first payment is still
    // followed meanwhile (as the widget's "Use another number").
    let retry = p.retry_at_ms.is_some_and(|at| page.now_ms >= at);
    if let (false, Some(Notice::Form(m))) = (retry, &page.notice) {
        body.push_str(&error_line("form-error", Some(m)));
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\">\n{}<button type=\"submit\" class=\"primary\">{}</button>\n</form>\n",
        form_action(page),
        hidden(page, "check"),
        esc(t.approved)
    ));
    body.push_str(&refresh_links(page, t));
    body.push_str("</section>\n");
    if retry {
        let co = page.checkout;
        let heading = (t.pay)(&t.amount(co.amount, co.currency));
        body.push_str(&format!(
            "<section class=\"retry\" aria-labelledby=\"retry-title\">\n<h2 id=\"retry-title\">{}</h2>\n<p>{}</p>\n",
            esc(t.use_another_number),
            esc(t.no_prompt)
        ));
        body.push_str(
            &pay_form(page, t, &heading)
                .replacen("<h1>", "<h3>", 1)
                .replacen("</h1>", "</h3>", 1),
        );
        body.push_str("</section>\n");
    }
    (t.pending_title.to_string(), body)
}

/// "Check again" (reload now) and, while the page reloads itself, a way to stop that.
fn refresh_links(page: &Page, t: &Text) -> String {
    let stop = if page.no_refresh {
        String::new()
    } else {
        format!(
            " · <a href=\"{}&amp;refresh=off\">{}</a>",
            esc(page.self_url),
            esc(t.stop_refresh)
        )
    };
    format!(
        "<p class=\"hint\"><a href=\"{}\">{}</a>{stop}</p>\n",
        esc(page.self_url),
        esc(t.refresh)
    )
}

fn otp_screen(page: &Page, t: &Text, p: &PaymentView) -> (String, String) {
    let title = (t.otp_title)(&p.phone_masked);
    let error = match &page.notice {
        Some(Notice::Otp(m)) | Some(Notice::Form(m)) => Some(m),
        _ => None,
    };
    let described = if error.is_some() {
        " aria-describedby=\"otp-error\""
    } else {
        ""
    };
    let body = format!(
        "<form class=\"screen otp\" method=\"post\" action=\"{action}\">\n<h1>{title}</h1>\n<p>{otp_body}</p>\n{hidden}<label for=\"otp\" class=\"field-label\">{label}</label>\n<input id=\"otp\" name=\"otp\" class=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"8\" aria-invalid=\"{invalid}\"{described}>\n{error}<button type=\"submit\" class=\"primary\">{confirm}</button>\n</form>\n",
        action = form_action(page),
        title = esc(&title),
        otp_body = esc(&(t.otp_body)(p.operator.name())),
        hidden = hidden(page, "otp"),
        label = esc(t.otp_label),
        invalid = error.is_some(),
        error = error_line("otp-error", error),
        confirm = esc(t.otp_confirm),
    );
    (title, body)
}

/// "Confirm your number": the code field (labelled, `autocomplete="one-time-code"`), and
/// apart from it "Send a new code" and "Use another number" (back to the form). The forms
/// carry the operator and the number as typed, and the tries the object last said were left.
fn verify_screen(page: &Page, t: &Text, v: &Verifying) -> (String, String) {
    let words = t.verify;
    let error = match &page.notice {
        Some(Notice::Code(m)) | Some(Notice::Form(m)) | Some(Notice::Phone(m)) => Some(m),
        _ => None,
    };
    let described = if error.is_some() {
        " aria-describedby=\"verify-code-error\""
    } else {
        ""
    };
    let note = match (v.resent, error) {
        (true, None) => format!(
            "<p class=\"hint\" role=\"status\">{}</p>\n",
            esc(words.resent)
        ),
        _ => String::new(),
    };
    let carried = format!(
        "<input type=\"hidden\" name=\"operator\" value=\"{}\">\n<input type=\"hidden\" name=\"phone\" value=\"{}\">\n<input type=\"hidden\" name=\"left\" value=\"{}\">\n",
        v.operator.id(),
        esc(&v.phone),
        v.left
    );
    let body = format!(
        "<section class=\"screen otp verify\" aria-labelledby=\"verify-title\">\n<h1 id=\"verify-title\">{title}</h1>\n<p>{sent}</p>\n<form method=\"post\" action=\"{action}\">\n{check}{carried}<label for=\"verify-code\" class=\"field-label\">{label}</label>\n<input id=\"verify-code\" name=\"code\" class=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\" aria-invalid=\"{invalid}\"{described}>\n{error}<button type=\"submit\" class=\"primary\">{submit}</button>\n</form>\n{note}<form method=\"post\" action=\"{action}\">\n{resend}{carried}<button type=\"submit\" class=\"secondary\">{resend_label}</button>\n</form>\n<a class=\"button secondary\" href=\"{back}\">{another}</a>\n</section>\n",
        title = esc(words.title),
        sent = esc(&(words.sent)(&v.phone_masked)),
        action = form_action(page),
        check = hidden(page, "verify"),
        label = esc(words.label),
        invalid = error.is_some(),
        error = error_line("verify-code-error", error),
        submit = esc(words.submit),
        resend = hidden(page, "resend"),
        resend_label = esc(words.resend),
        back = esc(page.self_url),
        another = esc(t.use_another_number),
    );
    (words.title.to_string(), body)
}

fn redirect_screen(page: &Page, t: &Text, p: &PaymentView, url: &str) -> (String, String) {
    let op = p.operator.name();
    let title = (t.redirect_title)(op);
    let body = format!(
        "<section class=\"screen pending\" aria-labelledby=\"redirect-title\">\n<h1 id=\"redirect-title\">{}</h1>\n<p>{}</p>\n<a class=\"button primary\" href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">{}</a>\n<p class=\"hint\">{}</p>\n{}</section>\n",
        esc(&title),
        esc(&(t.redirect_body)(op)),
        esc(url),
        esc(&(t.redirect_continue)(op)),
        esc(t.redirect_waiting),
        refresh_links(page, t)
    );
    (title, body)
}

fn success_screen(page: &Page, t: &Text, p: &PaymentView) -> (String, String) {
    let co = page.checkout;
    let back = match &co.success_url {
        Some(url) => format!(
            "<a class=\"button primary\" href=\"{}\" rel=\"noreferrer\">{}</a>\n",
            esc(&with_checkout_id(url, &co.id)),
            esc(&(t.return_to)(&co.merchant_name))
        ),
        None => String::new(),
    };
    let body = format!(
        "<section class=\"screen success\" aria-labelledby=\"success-title\">\n<div class=\"icon\" aria-hidden=\"true\">✓</div>\n<h1 id=\"success-title\">{}</h1>\n<p>{}</p>\n{back}</section>\n",
        esc(t.success_title),
        esc(&(t.success_body)(
            &t.amount(co.amount, co.currency),
            p.operator.name(),
            &p.phone_masked
        )),
    );
    (t.success_title.to_string(), body)
}

fn closed_screen(t: &Text, p: &PaymentView) -> (String, String) {
    let reason = match &p.status {
        PaymentStatus::Failed { reason, .. } => (t.failure)(*reason),
        _ => t.expired_body,
    };
    let body = format!(
        "<section class=\"screen failure\" aria-labelledby=\"failed-title\">\n<div class=\"icon\" aria-hidden=\"true\">!</div>\n<h1 id=\"failed-title\">{}</h1>\n<p class=\"reason\">{}</p>\n<p>{}</p>\n</section>\n",
        esc(t.failed_title),
        esc(reason),
        esc(t.refusal_for("checkout_closed"))
    );
    (t.failed_title.to_string(), body)
}

fn expired_screen(page: &Page, t: &Text) -> (String, String) {
    let at = page
        .checkout
        .expires_at_ms
        .map(utc_minute)
        .unwrap_or_default();
    let body = format!(
        "<section class=\"screen failure\" aria-labelledby=\"expired-title\">\n<h1 id=\"expired-title\">{}</h1>\n<p>{}</p>\n</section>\n",
        esc(t.link_expired_title),
        esc(&(t.link_expired_body)(&at))
    );
    (t.link_expired_title.to_string(), body)
}

/// The page shown for a link that names no checkout (or a wrong token).
pub fn unavailable(locale: Locale) -> String {
    let t = locale.text();
    format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/widget/widget.css\">\n</head>\n<body>\n<main>\n<section class=\"screen\" aria-labelledby=\"unavailable-title\">\n<h1 id=\"unavailable-title\">{}</h1>\n<p>{}</p>\n</section>\n</main>\n</body>\n</html>\n",
        locale.tag(),
        esc(t.unavailable_title),
        esc(t.unavailable_title),
        esc(t.refusal_for("not_found"))
    )
}

/// Up to two capitals of a name, shown as the operator's badge: "M-Pesa" → "MP" (as the
/// widget's).
fn initials(name: &str) -> String {
    name.split([' ', '-'])
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphanumeric())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// Unix ms as `2026-11-27 14:05 UTC`.
pub fn utc_minute(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests;
