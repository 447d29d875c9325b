//! The widget's screens: one component each.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use lipa_api::phone::Msisdn;
use lipa_api::{CheckoutView, Operator, PaymentStatus, PaymentView, VerificationView};

use crate::api::{self, Session};
use crate::text;

/// Up to two capitals of a name, shown as the operator's badge: "M-Pesa" → "MP".
fn initials(name: &str) -> String {
    name.split([' ', '-'])
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_ascii_alphanumeric())
        .take(2)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Operator picker, phone entry and the Pay button.
#[component]
pub fn PayForm(
    /// The checkout being paid.
    checkout: CheckoutView,
    /// Authorizes the widget's calls.
    session: std::sync::Arc<Session>,
    /// Called with the payment once the edge started it.
    #[prop(into)]
    on_started: Callback<PaymentView>,
    /// Remembers the operator and number of each Pay.
    last: LastAttempt,
) -> impl IntoView {
    let country = checkout.country;
    let locked = checkout.locked_phone.is_some();
    let offered = StoredValue::new(checkout.operators.iter().map(|o| o.id).collect::<Vec<_>>());
    // The operator predicted from a number's prefix, when the checkout offers it.
    let predicted = move |typed: &str| {
        lipa_api::numbering::predict(country, typed)
            .filter(|op| offered.with_value(|ops| ops.contains(op)))
    };
    let initial_phone = checkout.locked_phone.clone().unwrap_or_default();
    let (operator, set_operator) =
        signal(predicted(&initial_phone).or_else(|| checkout.operators.first().map(|o| o.id)));
    // The customer chose an operator by hand: predictions no longer change it.
    let chosen = StoredValue::new(false);
    let (phone, set_phone) = signal(initial_phone);
    let (phone_error, set_phone_error) = signal::<Option<String>>(None);
    let (form_error, set_form_error) = signal::<Option<String>>(None);
    let (busy, set_busy) = signal(false);
    // A guest on a route that verifies phones types the SMS code first (crate::verify).
    // What the screen needs sits in a stored value; a bool signal (a type the form signals
    // already) shows or hides it, which ships less code than a signal of the tuple.
    let (verifying, set_verifying) = signal(false);
    let verification = StoredValue::new(None::<(Operator, String, VerificationView)>);
    // One bit per operator (`1 << op as u32`): Copy, so no stored list ships.
    let verified_routes = checkout
        .operators
        .iter()
        .filter(|o| o.verify_phone)
        .fold(0u32, |bits, o| bits | 1 << o.id as u32);
    let session = StoredValue::new(session);
    let t = text();
    let amount = t.amount(checkout.amount, checkout.currency);
    // The provider's fee for the chosen operator, when the customer bears it.
    let fees = StoredValue::new(
        checkout
            .operators
            .iter()
            .map(|o| (o.id, o.fee))
            .collect::<Vec<(Operator, i64)>>(),
    );
    let fee = move || {
        fees.with_value(|f| {
            f.iter()
                .find(|(id, _)| Some(*id) == operator.get())
                .map_or(0, |(_, f)| *f)
        })
    };
    let (total, currency) = (checkout.amount, checkout.currency);
    let dialling = format!("+{}", country.numbering().dialling_code);
    let hint = (t.phone_example)(&lipa_api::phone::example_national(checkout.country));

    // Starts the payment; the edge refuses an unverified guest's number on a route that
    // verifies phones (`phone_not_verified`), which this form shows at the number.
    let start = move |op: Operator, typed: String| {
        set_busy.set(true);
        last.set_value(Some((op, typed.clone())));
        let session = session.get_value();
        leptos::task::spawn_local(async move {
            let answer = api::start_payment(&session, op.id(), &typed).await;
            // Touch this form only if it still exists once the answer is in.
            set_busy.try_set(false);
            match answer {
                Ok(p) => {
                    on_started.try_run(p);
                }
                Err(e) if e.field.as_deref() == Some("phone") => {
                    set_phone_error.try_set(Some(t.verify_refusal_for(&e.code).into()));
                }
                Err(e) => {
                    // The answer may have been lost after the payment started (a dropped
                    // connection, a refused second press): the checkout then shows the live
                    // payment, which the customer follows instead of starting another.
                    match api::checkout(&session).await.ok().and_then(|v| v.payment) {
                        Some(p)
                            if !matches!(
                                p.status,
                                PaymentStatus::Failed { .. } | PaymentStatus::Expired
                            ) =>
                        {
                            on_started.try_run(p);
                        }
                        _ => {
                            set_form_error.try_set(Some(t.refusal_for(&e.code).into()));
                        }
                    }
                }
            }
        });
    };

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        set_form_error.set(None);
        let Some(op) = operator.get_untracked() else {
            set_form_error.set(Some(t.choose_operator_error.into()));
            return;
        };
        let typed = phone.get_untracked();
        if !locked {
            if let Err(e) = Msisdn::parse(country, &typed) {
                set_phone_error.set(Some(t.phone_error(e, country)));
                return;
            }
        }
        set_phone_error.set(None);
        if !locked && verified_routes & 1 << op as u32 != 0 {
            set_busy.set(true);
            let session = session.get_value();
            leptos::task::spawn_local(async move {
                let answer = api::send_code(&session, op.id(), &typed).await;
                set_busy.try_set(false);
                match answer {
                    Ok(sent) if sent.verified => start(op, typed),
                    Ok(sent) => {
                        let _ = verification.try_set_value(Some((op, typed, sent)));
                        set_verifying.try_set(true);
                    }
                    Err(e) => {
                        let words = t.verify_refusal_for(&e.code);
                        if e.field.as_deref() == Some("phone") {
                            set_phone_error.try_set(Some(words.into()));
                        } else {
                            set_form_error.try_set(Some(words.into()));
                        }
                    }
                }
            });
            return;
        }
        start(op, typed);
    };
    let verify_screen = move || {
        let shown = verifying.get().then(|| verification.get_value()).flatten();
        shown.map(|(op, typed, sent)| {
            let again = typed.clone();
            view! {
                <crate::verify::VerifyScreen
                    session=session.get_value()
                    operator=op
                    phone=typed
                    sent=sent
                    on_verified=move |_| {
                        set_verifying.set(false);
                        start(op, again.clone());
                    }
                    on_back=move |_| set_verifying.set(false)
                />
            }
            .into_any()
        })
    };
    let operators = checkout
        .operators
        .iter()
        .map(|o| {
            let id = o.id;
            view! {
                <label class="operator">
                    <input
                        type="radio"
                        name="operator"
                        value=id.id()
                        prop:checked=move || operator.get() == Some(id)
                        on:change=move |_| {
                            chosen.set_value(true);
                            set_operator.set(Some(id));
                        }
                    />
                    <span class="badge" aria-hidden="true" data-operator=id.id()>{initials(&o.name)}</span>
                    <span class="name">{o.name.clone()}</span>
                </label>
            }
        })
        .collect_view();

    view! {
        {verify_screen}
        <form class="screen" on:submit=submit novalidate hidden=move || verifying.get()>
            <header class="summary">
                <p class="merchant">{checkout.merchant_name.clone()}</p>
                <h1>{(t.pay)(&amount)}</h1>
                <p class="description">{checkout.description.clone()}</p>
            </header>
            <fieldset>
                <legend>{t.choose_operator}</legend>
                <div class="operators">{operators}</div>
            </fieldset>
            <label for="phone" class="field-label">{t.phone_label}</label>
            <div class="phone" class:invalid=move || phone_error.get().is_some()>
                <span class="prefix" id="dialling-code">{dialling}</span>
                <input
                    id="phone"
                    type="tel"
                    inputmode="tel"
                    autocomplete="tel-national"
                    readonly=locked
                    aria-describedby="dialling-code phone-hint phone-error"
                    aria-invalid=move || if phone_error.get().is_some() { "true" } else { "false" }
                    prop:value=move || phone.get()
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        if !chosen.get_value() {
                            if let Some(op) = predicted(&typed) {
                                set_operator.set(Some(op));
                            }
                        }
                        set_phone.set(typed);
                        set_phone_error.set(None);
                    }
                />
            </div>
            <p id="phone-hint" class="hint">{if locked { t.phone_locked.to_string() } else { hint }}</p>
            <p id="phone-error" class="error" role="alert">{move || phone_error.get()}</p>
            <p class="error" role="alert">{move || form_error.get()}</p>
            <p class="hint">
                {move || (fee() > 0).then(|| (t.fee_included)(&t.amount(fee(), currency)))}
            </p>
            <button type="submit" class="primary" disabled=move || busy.get() aria-busy=move || busy.get().to_string()>
                {move || (t.pay)(&t.amount(total + fee(), currency))}
            </button>
            <p class="secured">{t.secured}</p>
        </form>
    }
}

/// The operator and number of the customer's last Pay, kept for "Send the prompt again".
pub type LastAttempt = StoredValue<Option<(Operator, String)>>;

/// "Check your phone": shown while the customer approves on the handset. It counts down the
/// provider's approval window, tells where to approve a prompt that never showed (a USSD menu,
/// where one is published for the operator), asks the edge at once when the customer says they
/// approved, and once the window has passed offers the prompt again or another number.
#[component]
pub fn PendingScreen(
    /// The live payment.
    payment: PaymentView,
    /// The checkout's country (for the operator's approval menu).
    country: lipa_api::Country,
    /// Authorizes the widget's calls.
    session: std::sync::Arc<Session>,
    /// The customer's last Pay, to send again.
    last: LastAttempt,
    /// Called with the payment as the edge sees it after a check, or a new one sent again.
    #[prop(into)]
    on_update: Callback<PaymentView>,
    /// The customer closes the widget (the payment goes on; a late approval still counts).
    #[prop(into)]
    on_cancel: Callback<()>,
    /// The customer tries again, with this or another number, once the provider's approval
    /// window is over (the first payment is still followed by the edge).
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    let t = text();
    let started = payment.created_at_ms as f64;
    let retry_at = payment.retry_at_ms.map(|at| at as f64);
    let (now, set_now) = signal(api::now_ms());
    if let Ok(handle) = set_interval_with_handle(
        move || set_now.set(api::now_ms()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    let seconds = |ms: f64| (ms / 1000.0).max(0.0) as u64;
    let window_over = move || retry_at.is_none_or(|at| now.get() >= at);
    let (note, set_note) = signal::<Option<String>>(None);
    let (busy, set_busy) = signal(false);
    let session = StoredValue::new(session);
    let shown = StoredValue::new(payment.clone());
    let check = move |_| {
        if busy.get_untracked() {
            return;
        }
        set_busy.set(true);
        set_note.set(None);
        leptos::task::spawn_local(async move {
            let answer = api::check(&session.get_value()).await;
            set_busy.try_set(false);
            match answer {
                Ok(p) if p != shown.get_value() => {
                    on_update.try_run(p);
                }
                Ok(_) => {
                    set_note.try_set(Some(t.not_confirmed.to_string()));
                }
                Err(e) => {
                    set_note.try_set(Some(t.refusal_for(&e.code).to_string()));
                }
            }
        });
    };
    let send_again = move |_| {
        let Some((operator, phone)) = last.get_value() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        set_busy.set(true);
        set_note.set(None);
        leptos::task::spawn_local(async move {
            let answer = api::start_payment(&session.get_value(), operator.id(), &phone).await;
            set_busy.try_set(false);
            match answer {
                Ok(p) => {
                    on_update.try_run(p);
                }
                Err(e) => {
                    set_note.try_set(Some(t.refusal_for(&e.code).to_string()));
                }
            }
        });
    };
    let same_operator = last
        .get_value()
        .is_some_and(|(op, _)| op == payment.operator);
    let menu = lipa_api::approval::approval_menu(country, payment.operator);
    view! {
        <section class="screen pending" aria-labelledby="pending-title">
            <div class="spinner" aria-hidden="true"></div>
            <h1 id="pending-title">{t.pending_title}</h1>
            <p class="instruction">
                {(t.prompt_sent)(payment.operator.name())}
                <span class="number">{payment.phone_masked.clone()}</span>
                {t.enter_pin}
            </p>
            <p class="elapsed">
                {move || match retry_at.filter(|at| now.get() < *at) {
                    Some(at) => { let s = seconds(at - now.get()); (t.prompt_valid)(s / 60, s % 60) }
                    None => { let s = seconds(now.get() - started); (t.waiting)(s / 60, s % 60) }
                }}
            </p>
            {menu.map(|m| view! {
                <p class="hint">
                    {(t.ussd_help)(m.path)}" "
                    <a href=m.tel_link()>{m.ussd}</a>
                </p>
            })}
            <button type="button" class="primary" disabled=move || busy.get() on:click=check>
                {t.approved}
            </button>
            <p class="hint" role="status">{move || note.get()}</p>
            {move || window_over().then(|| view! {
                <p class="hint">{t.no_prompt}</p>
                {same_operator.then(|| view! {
                    <button type="button" class="secondary" disabled=move || busy.get() on:click=send_again>
                        {t.send_again}
                    </button>
                })}
                <button type="button" class="secondary" on:click=move |_| on_retry.run(())>
                    {t.use_another_number}
                </button>
            })}
            <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>{t.cancel}</button>
        </section>
    }
}

/// The operator sent a one-time code: the customer types it here.
#[component]
pub fn OtpScreen(
    /// The payment waiting for the code.
    payment: PaymentView,
    /// Authorizes the widget's calls.
    session: std::sync::Arc<Session>,
    /// Called with the payment as the edge sees it after a code was sent.
    #[prop(into)]
    on_update: Callback<PaymentView>,
) -> impl IntoView {
    let t = text();
    let (code, set_code) = signal(String::new());
    let (error, set_error) = signal::<Option<String>>(None);
    let (busy, set_busy) = signal(false);
    let session = StoredValue::new(session);
    let payment_id = payment.id.clone();
    let submit = move |_| {
        let otp: String = code
            .get_untracked()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !lipa_api::checkout::OTP_LENGTH.contains(&otp.len())
            || !otp.chars().all(|c| c.is_ascii_digit())
        {
            set_error.set(Some(t.otp_format.into()));
            return;
        }
        set_busy.set(true);
        let payment_id = payment_id.clone();
        let session = session.get_value();
        // The live channel may replace this screen while the code is checked: after each await
        // the screen's own state is touched only if it still exists (`try_…`).
        leptos::task::spawn_local(async move {
            let answer = api::submit_otp(&session, &otp).await;
            set_busy.try_set(false);
            match answer {
                Ok(p) => {
                    on_update.try_run(p);
                }
                Err(e) => {
                    set_error.try_set(Some(t.refusal_for(&e.code).into()));
                    set_code.try_set(String::new());
                    // The provider may have ended the payment (too many wrong codes); else
                    // the customer hears how many tries are left.
                    if let Ok(view) = api::checkout(&session).await {
                        match view.payment.filter(|p| p.id == payment_id) {
                            Some(p) if p.status.is_terminal() => {
                                on_update.try_run(p);
                            }
                            Some(p) if e.code == "otp_incorrect" => {
                                if let Some(left) = p.otp_attempts_left {
                                    set_error.try_set(Some((t.otp_wrong)(left)));
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        });
    };
    view! {
        <CodeForm
            id="otp"
            title_id="otp-title"
            error_id="otp-error"
            class="screen otp"
            title=(t.otp_title)(&payment.phone_masked)
            body=(t.otp_body)(payment.operator.name())
            label=t.otp_label
            max_digits="8"
            submit_label=t.otp_confirm
            code=code
            set_code=set_code
            error=error
            set_error=set_error
            busy=busy
            on_submit=submit
        />
    }
}

/// A screen where the customer types a code sent by SMS (the operator's one-time code, or
/// Lipa's phone-verification code): heading, explanation, the labelled code field (its error
/// announced), the submit button, then `children`. One component for both screens, so that
/// the view's code ships once.
#[component]
pub(crate) fn CodeForm(
    /// The code field's id.
    id: &'static str,
    /// The heading's id (the form's accessible name).
    title_id: &'static str,
    /// The error's id (the field's description).
    error_id: &'static str,
    /// The form's classes.
    class: &'static str,
    /// The heading.
    title: String,
    /// Under the heading.
    body: String,
    /// The code field's label.
    label: &'static str,
    /// The field's `maxlength`.
    max_digits: &'static str,
    /// The submit button's words.
    submit_label: &'static str,
    /// What the customer typed.
    code: ReadSignal<String>,
    /// Sets it.
    set_code: WriteSignal<String>,
    /// The error shown at the field.
    error: ReadSignal<Option<String>>,
    /// Sets it.
    set_error: WriteSignal<Option<String>>,
    /// A call is under way: the submit button is disabled and submitting does nothing.
    busy: ReadSignal<bool>,
    /// The form is submitted while no call is under way.
    #[prop(into)]
    on_submit: Callback<()>,
    /// After the submit button.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            on_submit.run(());
        }
    };
    view! {
        <form class=class on:submit=submit novalidate aria-labelledby=title_id>
            <h1 id=title_id>{title}</h1>
            <p>{body}</p>
            <label for=id class="field-label">{label}</label>
            <input
                id=id
                class="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9]*"
                maxlength=max_digits
                aria-describedby=error_id
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                prop:value=move || code.get()
                on:input=move |ev| {
                    set_code.set(event_target_value(&ev));
                    set_error.set(None);
                }
            />
            <p id=error_id class="error" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary" disabled=move || busy.get()>{submit_label}</button>
            {children.map(|c| c())}
        </form>
    }
}

/// The operator needs the customer on its own page: a link opens it from the click (so no
/// popup blocker stops it) and the widget keeps waiting for the result meanwhile.
#[component]
pub fn RedirectScreen(
    /// The payment waiting for the customer.
    payment: PaymentView,
    /// The operator's page.
    url: String,
    /// The customer closes the widget.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let t = text();
    let (opened, set_opened) = signal(false);
    let safe = url.starts_with("https://") || url.starts_with("http://");
    let name = payment.operator.name();
    view! {
        <section class="screen pending" aria-labelledby="redirect-title">
            <h1 id="redirect-title">{(t.redirect_title)(name)}</h1>
            <p class="instruction">{(t.redirect_body)(name)}</p>
            {safe.then(|| view! {
                <a class="button primary" href=url.clone() target="_blank" rel="noopener noreferrer"
                    on:click=move |_| set_opened.set(true)>
                    {(t.redirect_continue)(name)}
                </a>
            })}
            {move || opened.get().then(|| view! {
                <div class="spinner" aria-hidden="true"></div>
                <p role="status">{t.redirect_waiting}</p>
            })}
            <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>{t.cancel}</button>
        </section>
    }
}

/// The payment went through.
#[component]
pub fn SuccessScreen(
    /// The checkout that was paid.
    checkout: CheckoutView,
    /// The payment that paid it.
    payment: PaymentView,
    /// The customer is done.
    #[prop(into)]
    on_done: Callback<()>,
) -> impl IntoView {
    let t = text();
    view! {
        <section class="screen success" aria-labelledby="success-title">
            <div class="icon" aria-hidden="true">"✓"</div>
            <h1 id="success-title">{t.success_title}</h1>
            <p>
                {(t.success_body)(
                    &t.amount(checkout.amount, checkout.currency),
                    payment.operator.name(),
                    &payment.phone_masked,
                )}
            </p>
            <button type="button" class="primary" on:click=move |_| on_done.run(())>{t.done}</button>
        </section>
    }
}

/// The payment did not go through; a retryable failure offers "Try again".
#[component]
pub fn FailureScreen(
    /// The failed payment.
    payment: PaymentView,
    /// Start a new payment on the same checkout.
    #[prop(into)]
    on_retry: Callback<()>,
    /// Close the widget.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let t = text();
    let (title, reason) = match &payment.status {
        PaymentStatus::Failed { reason, .. } => (t.failed_title, (t.failure)(*reason)),
        _ => (t.expired_title, t.expired_body),
    };
    let retry = payment.status.allows_new_payment();
    view! {
        <section class="screen failure" aria-labelledby="failure-title">
            <div class="icon" aria-hidden="true">"!"</div>
            <h1 id="failure-title">{title}</h1>
            <p class="reason">{reason}</p>
            {retry.then(|| view! {
                <button type="button" class="primary" on:click=move |_| on_retry.run(())>{t.try_again}</button>
            })}
            <button type="button" class="secondary" on:click=move |_| on_close.run(())>{t.close}</button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_phrases_and_badges() {
        let en = crate::i18n::Locale::En.text();
        assert_eq!(
            (en.prompt_sent)("M-Pesa"),
            "We've sent an M-Pesa prompt to "
        );
        assert_eq!((en.prompt_sent)("Wave"), "We've sent a Wave prompt to ");
        assert_eq!(
            (en.prompt_sent)("Telecel Cash"),
            "We've sent a Telecel Cash prompt to "
        );
        assert_eq!(
            (en.prompt_sent)("Airtel Money"),
            "We've sent an Airtel Money prompt to "
        );
        assert_eq!(
            (en.prompt_sent)("Moov Money"),
            "We've sent a Moov Money prompt to "
        );
        assert_eq!(
            (en.prompt_sent)("MTN MoMo"),
            "We've sent an MTN MoMo prompt to "
        );
        assert_eq!(initials("M-Pesa"), "MP");
        assert_eq!(initials("Airtel Money"), "AM");
        assert_eq!(initials("Wave"), "W");
    }
}
