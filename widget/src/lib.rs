//! Lipa's checkout widget: a Leptos component that runs inside an iframe on the edge's
//! origin. It shows the operator picker and phone entry, the "check your phone" screen while
//! the customer approves, and the result; it tells the loader on the merchant page what
//! happened through typed `postMessage` events.
//!
//! `lib.rs` holds the components; `main.rs` only mounts them.

pub mod api;
pub mod appearance;
mod de;
pub use lipa_api::i18n;
mod live;
pub mod messages;
mod screens;
pub mod verify;

use leptos::prelude::*;
use lipa_api::{CheckoutView, NextAction, PaymentStatus, PaymentView};

use api::Session;
use i18n::{Locale, Text};
pub use screens::{
    FailureScreen, LastAttempt, OtpScreen, PayForm, PendingScreen, RedirectScreen, SuccessScreen,
};

/// How often the widget asks the edge for news while a payment is live: every 2 s for the
/// first 30 s, then every 5 s (CrissCross's recommended cadence).
pub fn poll_interval_ms(elapsed_ms: f64) -> f64 {
    if elapsed_ms < 30_000.0 {
        2_000.0
    } else {
        5_000.0
    }
}

/// What the widget shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// Reading the checkout.
    Loading,
    /// The checkout could not be read: the refusal's code.
    Unavailable(String),
    /// Operator and phone entry.
    Form,
    /// Waiting for approval on the handset.
    Pending(PaymentView),
    /// Paid.
    Success(PaymentView),
    /// Not paid.
    Failure(PaymentView),
}

impl Screen {
    /// The screen for a payment's status.
    pub fn for_payment(p: PaymentView) -> Screen {
        match p.status {
            PaymentStatus::Succeeded => Screen::Success(p),
            PaymentStatus::Failed { .. } | PaymentStatus::Expired => Screen::Failure(p),
            PaymentStatus::Created
            | PaymentStatus::Pending
            | PaymentStatus::ActionRequired { .. } => Screen::Pending(p),
        }
    }
}

/// The words of the customer's language, as [`Widget`] chose it.
pub fn text() -> &'static Text {
    use_context::<&'static Text>().unwrap_or_else(|| Locale::En.text())
}

/// The browser's languages, most preferred first.
fn browser_languages() -> Vec<String> {
    window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect()
}

/// Applies the merchant's look (checked by [`appearance::resolve`]) to the widget's document:
/// the theme as `<html data-theme>`, the variables as custom properties on `:root` (through
/// the CSSOM, which the page's CSP allows), and every refusal as a console warning.
fn apply_appearance(raw: Option<&str>) {
    use wasm_bindgen::JsCast;
    let requested = match raw {
        None => appearance::Requested::default(),
        Some(raw) => js_sys::decode_uri_component(raw)
            .ok()
            .and_then(|text| js_sys::JSON::parse(&String::from(text)).ok())
            .and_then(crate::de::from_js)
            .unwrap_or_else(|| {
                web_sys::console::warn_1(
                    &"Lipa appearance: not an { theme, variables } object; ignored".into(),
                );
                appearance::Requested::default()
            }),
    };
    let look = appearance::resolve(&requested);
    for warning in &look.warnings {
        web_sys::console::warn_1(&warning.as_str().into());
    }
    let Some(root) = document().document_element() else {
        return;
    };
    let _ = root.set_attribute("data-theme", look.theme.name());
    if let Ok(root) = root.dyn_into::<web_sys::HtmlElement>() {
        let style = root.style();
        for (property, value) in &look.properties {
            let _ = style.set_property(property, value);
        }
    }
}

/// The whole widget for the checkout named by the page's URL, in the customer's language.
#[component]
pub fn Widget() -> impl IntoView {
    let location = window().location();
    let session = Session::parse(
        &location.pathname().unwrap_or_default(),
        &location.hash().unwrap_or_default(),
    );
    let locale = Locale::choose(
        session.as_ref().and_then(|s| s.locale.as_deref()),
        &browser_languages(),
    );
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", locale.tag());
    }
    apply_appearance(session.as_ref().and_then(|s| s.appearance.as_deref()));
    provide_context(locale.text());
    let t = locale.text();
    match session {
        Some(session) => view! { <Checkout session=session/> }.into_any(),
        None => view! {
            <Unavailable
                title=t.link_incomplete_title
                message=t.link_incomplete_body.to_string()
            />
        }
        .into_any(),
    }
}

/// Why there is nothing to pay here.
#[component]
pub fn Unavailable(
    /// The heading.
    title: &'static str,
    /// What to do about it.
    message: String,
) -> impl IntoView {
    view! {
        <section class="screen" aria-labelledby="unavailable-title">
            <h1 id="unavailable-title">{title}</h1>
            <p>{message}</p>
        </section>
    }
}

/// A checkout: loads it, then moves between the form, pending and result screens.
#[component]
pub fn Checkout(
    /// Which checkout, and the secret that authorizes the widget for it.
    session: Session,
) -> impl IntoView {
    live::connect(&session);
    // Shared, not copied: every read of the stored session (each call, each message, each
    // screen's props) would otherwise clone its six strings (491 B gzip).
    let session = StoredValue::new(std::sync::Arc::new(session));
    let (screen, set_screen) = signal(Screen::Loading);
    let (checkout, set_checkout) = signal::<Option<CheckoutView>>(None);
    let last: LastAttempt = StoredValue::new(None);
    // The payment that had already paid the checkout when the widget opened: its success is
    // shown again and told to the loader as replayed, so the merchant does not fulfil twice.
    let paid_on_open = StoredValue::new(None::<String>);

    leptos::task::spawn_local(async move {
        match api::checkout(&session.get_value()).await {
            Ok(view) => {
                let next = view
                    .payment
                    .clone()
                    .map_or(Screen::Form, |p| match p.status {
                        PaymentStatus::Failed { .. } | PaymentStatus::Expired => Screen::Form,
                        _ => Screen::for_payment(p),
                    });
                if let Screen::Success(p) = &next {
                    paid_on_open.set_value(Some(p.id.clone()));
                }
                set_checkout.set(Some(view));
                set_screen.set(next);
                messages::post(&session.get_value(), messages::ready());
            }
            Err(e) => {
                messages::post(&session.get_value(), messages::error(&e.code));
                set_screen.set(Screen::Unavailable(e.code));
            }
        }
    });

    // Follows a live payment: every change of its state (an OTP or redirect step, the end)
    // replaces the screen, which starts a new follower for the new state.
    Effect::new(move |_| {
        if let Screen::Pending(p) = screen.get() {
            let following = p.clone();
            let started = p.created_at_ms as f64;
            leptos::task::spawn_local(async move {
                loop {
                    let news =
                        api::wait_for_news(poll_interval_ms(api::now_ms() - started) as i32).await;
                    if screen.get_untracked() != Screen::Pending(following.clone()) {
                        return;
                    }
                    let latest = match news {
                        Some(p) => Some(p),
                        None => api::checkout(&session.get_value())
                            .await
                            .ok()
                            .and_then(|view| view.payment),
                    };
                    // The payment followed, or an earlier attempt whose late approval paid
                    // the checkout.
                    let relevant = |q: &PaymentView| {
                        q.id == following.id || q.status == PaymentStatus::Succeeded
                    };
                    if let Some(latest) = latest.filter(relevant) {
                        // A new state (or another payment), not a detail such as the tries
                        // left, replaces the screen: a screen keeps what it shows meanwhile.
                        let moved = latest.id != following.id || latest.status != following.status;
                        if moved && screen.get_untracked() == Screen::Pending(following.clone()) {
                            set_screen.set(Screen::for_payment(latest));
                            return;
                        }
                    }
                }
            });
        }
    });

    // Tells the loader about each outcome once.
    Effect::new(move |_| match screen.get() {
        Screen::Success(p) => {
            let replayed = paid_on_open.with_value(|id| id.as_deref() == Some(p.id.as_str()));
            messages::post(&session.get_value(), messages::success(&p, replayed))
        }
        Screen::Failure(p) => messages::post(&session.get_value(), messages::failure(&p)),
        Screen::Loading | Screen::Unavailable(_) | Screen::Form | Screen::Pending(_) => {}
    });

    let close = move || messages::post(&session.get_value(), messages::close());
    // Escape closes the dialog from inside the frame too (the loader hears it outside).
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            close();
        }
    });
    on_cleanup(move || escape.remove());

    let t = text();
    view! {
        {move || {
            let Some(co) = checkout.get() else {
                return match screen.get() {
                    Screen::Unavailable(code) => view! {
                        <Unavailable title=t.unavailable_title message=t.refusal_for(&code).to_string()/>
                    }.into_any(),
                    _ => view! { <p class="loading">{t.loading}</p> }.into_any(),
                };
            };
            match screen.get() {
                Screen::Loading | Screen::Form | Screen::Unavailable(_) => view! {
                    <PayForm
                        checkout=co
                        on_started=move |p: PaymentView| set_screen.set(Screen::for_payment(p))
                        session=session.get_value()
                        last=last
                    />
                }.into_any(),
                Screen::Pending(p) => match p.status.clone() {
                    PaymentStatus::ActionRequired { action: NextAction::Otp } => view! {
                        <OtpScreen
                            payment=p
                            session=session.get_value()
                            on_update=move |q: PaymentView| set_screen.set(Screen::for_payment(q))
                        />
                    }.into_any(),
                    PaymentStatus::ActionRequired { action: NextAction::Redirect { url } } => view! {
                        <RedirectScreen payment=p url=url on_cancel=close/>
                    }.into_any(),
                    _ => view! {
                        <PendingScreen payment=p country=co.country session=session.get_value()
                            last=last
                            on_update=move |q: PaymentView| set_screen.set(Screen::for_payment(q))
                            on_cancel=close
                            on_retry=move || set_screen.set(Screen::Form)/>
                    }.into_any(),
                },
                Screen::Success(p) => view! {
                    <SuccessScreen checkout=co payment=p on_done=close/>
                }.into_any(),
                Screen::Failure(p) => view! {
                    <FailureScreen payment=p on_retry=move || set_screen.set(Screen::Form) on_close=close/>
                }.into_any(),
            }
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_every_two_seconds_then_every_five() {
        assert_eq!(poll_interval_ms(0.0), 2_000.0);
        assert_eq!(poll_interval_ms(29_999.0), 2_000.0);
        assert_eq!(poll_interval_ms(30_000.0), 5_000.0);
    }
}
