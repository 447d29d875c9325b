//! The widget's screens: one component each.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use lipa_api::money::format_amount;
use lipa_api::phone::Msisdn;
use lipa_api::{CheckoutView, Operator, PaymentStatus, PaymentView};

use crate::api::{self, Session};

/// "an M-Pesa prompt", "a Wave prompt": the operator's name with the article it takes.
fn prompt_phrase(op: Operator) -> String {
    let article = match op {
        Operator::Mpesa
        | Operator::MtnMomo
        | Operator::AirtelMoney
        | Operator::OrangeMoney
        | Operator::AtMoney => "an",
        Operator::MoovMoney | Operator::Wave | Operator::TelecelCash => "a",
    };
    format!("{article} {} prompt", op.name())
}

/// Up to two capitals of a name, shown as the operator's badge: "M-Pesa" → "MP".
fn initials(name: &str) -> String {
    name.split([' ', '-'])
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphanumeric())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// An example national number for the hint, e.g. "0712 345 678" for Kenya.
fn example_number(checkout: &CheckoutView) -> String {
    let plan = checkout.country.numbering();
    let prefix = plan.mobile_prefixes.first().copied().unwrap_or("7");
    let mut digits: String = prefix
        .chars()
        .chain("12345678901234".chars())
        .take(plan.national_len)
        .collect();
    if !prefix.starts_with('0') {
        digits.insert(0, '0');
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i == 4 || i == 7 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Operator picker, phone entry and the Pay button.
#[component]
pub fn PayForm(
    /// The checkout being paid.
    checkout: CheckoutView,
    /// Authorizes the widget's calls.
    session: Session,
    /// Called with the payment once the edge started it.
    #[prop(into)]
    on_started: Callback<PaymentView>,
) -> impl IntoView {
    let country = checkout.country;
    let locked = checkout.locked_phone.is_some();
    let (operator, set_operator) = signal(checkout.operators.first().map(|o| o.id));
    let (phone, set_phone) = signal(checkout.locked_phone.clone().unwrap_or_default());
    let (phone_error, set_phone_error) = signal::<Option<String>>(None);
    let (form_error, set_form_error) = signal::<Option<String>>(None);
    let (busy, set_busy) = signal(false);
    let session = StoredValue::new(session);
    let amount = format_amount(checkout.amount, checkout.currency);
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
    let hint = format!("For example {}", example_number(&checkout));

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        set_form_error.set(None);
        let Some(op) = operator.get_untracked() else {
            set_form_error.set(Some("Choose your mobile money operator.".into()));
            return;
        };
        let typed = phone.get_untracked();
        if !locked {
            if let Err(e) = Msisdn::parse(country, &typed) {
                set_phone_error.set(Some(e.message(country)));
                return;
            }
        }
        set_phone_error.set(None);
        set_busy.set(true);
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
                    set_phone_error.try_set(Some(e.message));
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
                            set_form_error.try_set(Some(e.message));
                        }
                    }
                }
            }
        });
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
                        on:change=move |_| set_operator.set(Some(id))
                    />
                    <span class="badge" aria-hidden="true" data-operator=id.id()>{initials(&o.name)}</span>
                    <span class="name">{o.name.clone()}</span>
                </label>
            }
        })
        .collect_view();

    view! {
        <form class="screen" on:submit=submit novalidate>
            <header class="summary">
                <p class="merchant">{checkout.merchant_name.clone()}</p>
                <h1>{format!("Pay {amount}")}</h1>
                <p class="description">{checkout.description.clone()}</p>
            </header>
            <fieldset>
                <legend>"Choose your mobile money operator"</legend>
                <div class="operators">{operators}</div>
            </fieldset>
            <label for="phone" class="field-label">"Mobile money number"</label>
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
                        set_phone.set(event_target_value(&ev));
                        set_phone_error.set(None);
                    }
                />
            </div>
            <p id="phone-hint" class="hint">{if locked { "Number given by the shop".to_string() } else { hint }}</p>
            <p id="phone-error" class="error" role="alert">{move || phone_error.get()}</p>
            <p class="error" role="alert">{move || form_error.get()}</p>
            <p class="hint">
                {move || (fee() > 0).then(|| format!("Includes a {} mobile-money fee", format_amount(fee(), currency)))}
            </p>
            <button type="submit" class="primary" disabled=move || busy.get() aria-busy=move || busy.get().to_string()>
                {move || format!("Pay {}", format_amount(total + fee(), currency))}
            </button>
            <p class="secured">"Secured by Lipa"</p>
        </form>
    }
}

/// "Check your phone": shown while the customer approves on the handset.
#[component]
pub fn PendingScreen(
    /// The live payment.
    payment: PaymentView,
    /// The customer closes the widget (the payment goes on; a late approval still counts).
    #[prop(into)]
    on_cancel: Callback<()>,
    /// The customer tries again, with this or another number, once the provider's approval
    /// window is over (the first payment is still followed by the edge).
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    let started = payment.created_at_ms as f64;
    let retry_at = payment.retry_at_ms.map(|t| t as f64);
    let (elapsed_s, set_elapsed_s) = signal(((api::now_ms() - started) / 1000.0).max(0.0) as u64);
    if let Ok(handle) = set_interval_with_handle(
        move || set_elapsed_s.set(((api::now_ms() - started) / 1000.0).max(0.0) as u64),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <section class="screen pending" aria-labelledby="pending-title">
            <div class="spinner" aria-hidden="true"></div>
            <h1 id="pending-title">"Check your phone"</h1>
            <p class="instruction">
                {format!("We've sent {} to ", prompt_phrase(payment.operator))}
                <span class="number">{payment.phone_masked.clone()}</span>
                ". Enter your PIN to approve."
            </p>
            <p class="elapsed">
                {move || { let s = elapsed_s.get(); format!("Waiting for approval · {}:{:02}", s / 60, s % 60) }}
            </p>
            {move || {
                // Re-evaluated every second with the elapsed time.
                elapsed_s.track();
                retry_at.filter(|t| api::now_ms() >= *t).map(|_| view! {
                    <p class="hint">"No prompt? It may have timed out on your phone."</p>
                    <button type="button" class="primary" on:click=move |_| on_retry.run(())>
                        "Use another number"
                    </button>
                })
            }}
            <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
        </section>
    }
}

/// The operator sent a one-time code: the customer types it here.
#[component]
pub fn OtpScreen(
    /// The payment waiting for the code.
    payment: PaymentView,
    /// Authorizes the widget's calls.
    session: Session,
    /// Called with the payment as the edge sees it after a code was sent.
    #[prop(into)]
    on_update: Callback<PaymentView>,
) -> impl IntoView {
    let (code, set_code) = signal(String::new());
    let (error, set_error) = signal::<Option<String>>(None);
    let (busy, set_busy) = signal(false);
    let session = StoredValue::new(session);
    let payment_id = payment.id.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let otp: String = code
            .get_untracked()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !lipa_api::checkout::OTP_LENGTH.contains(&otp.len())
            || !otp.chars().all(|c| c.is_ascii_digit())
        {
            set_error.set(Some(
                "The code is 4 to 8 digits, as sent to your phone.".into(),
            ));
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
                    set_error.try_set(Some(e.message));
                    set_code.try_set(String::new());
                    // The provider may have ended the payment (too many wrong codes).
                    if let Ok(view) = api::checkout(&session).await {
                        if let Some(p) = view
                            .payment
                            .filter(|p| p.id == payment_id && p.status.is_terminal())
                        {
                            on_update.try_run(p);
                        }
                    }
                }
            }
        });
    };
    view! {
        <form class="screen otp" on:submit=submit novalidate aria-labelledby="otp-title">
            <h1 id="otp-title">{format!("Enter the code sent to {}", payment.phone_masked)}</h1>
            <p>{format!("{} sent you a one-time code by SMS. It confirms this payment.", payment.operator.name())}</p>
            <label for="otp" class="field-label">"One-time code"</label>
            <input
                id="otp"
                class="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9]*"
                maxlength="8"
                aria-describedby="otp-error"
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                prop:value=move || code.get()
                on:input=move |ev| {
                    set_code.set(event_target_value(&ev));
                    set_error.set(None);
                }
            />
            <p id="otp-error" class="error" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary" disabled=move || busy.get()>"Confirm code"</button>
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
    let (opened, set_opened) = signal(false);
    let safe = url.starts_with("https://") || url.starts_with("http://");
    let name = payment.operator.name();
    view! {
        <section class="screen pending" aria-labelledby="redirect-title">
            <h1 id="redirect-title">{format!("Finish on the {name} page")}</h1>
            <p class="instruction">
                {format!("{name} needs you to confirm this payment on its own page. It opens in a new tab; come back here when you are done.")}
            </p>
            {safe.then(|| view! {
                <a class="button primary" href=url.clone() target="_blank" rel="noopener noreferrer"
                    on:click=move |_| set_opened.set(true)>
                    {format!("Continue to {name}")}
                </a>
            })}
            {move || opened.get().then(|| view! {
                <div class="spinner" aria-hidden="true"></div>
                <p role="status">"Waiting for you to finish on the operator's page…"</p>
            })}
            <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
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
    view! {
        <section class="screen success" aria-labelledby="success-title">
            <div class="icon" aria-hidden="true">"✓"</div>
            <h1 id="success-title">"Payment successful"</h1>
            <p>
                {format!(
                    "{} paid with {} from {}.",
                    format_amount(checkout.amount, checkout.currency),
                    payment.operator.name(),
                    payment.phone_masked
                )}
            </p>
            <button type="button" class="primary" on:click=move |_| on_done.run(())>"Done"</button>
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
    let (title, reason) = match &payment.status {
        PaymentStatus::Failed { reason, .. } => ("Payment failed", reason.message().to_string()),
        _ => (
            "Payment expired",
            "The prompt expired before it was approved. No money was taken.".to_string(),
        ),
    };
    let retry = payment.status.allows_new_payment();
    view! {
        <section class="screen failure" aria-labelledby="failure-title">
            <div class="icon" aria-hidden="true">"!"</div>
            <h1 id="failure-title">{title}</h1>
            <p class="reason">{reason}</p>
            {retry.then(|| view! {
                <button type="button" class="primary" on:click=move |_| on_retry.run(())>"Try again"</button>
            })}
            <button type="button" class="secondary" on:click=move |_| on_close.run(())>"Close"</button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_phrases_and_badges() {
        assert_eq!(prompt_phrase(Operator::Mpesa), "an M-Pesa prompt");
        assert_eq!(prompt_phrase(Operator::Wave), "a Wave prompt");
        assert_eq!(initials("M-Pesa"), "MP");
        assert_eq!(initials("Airtel Money"), "AM");
        assert_eq!(initials("Wave"), "W");
    }
}
