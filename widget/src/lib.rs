//! Lipa's checkout widget: a Leptos component that runs inside an iframe on the edge's
//! origin. It shows the operator picker and phone entry, the "check your phone" screen while
//! the customer approves, and the result; it tells the loader on the merchant page what
//! happened through typed `postMessage` events.
//!
//! `lib.rs` holds the components; `main.rs` only mounts them.

pub mod api;
pub mod messages;
mod screens;

use leptos::prelude::*;
use lipa_api::{CheckoutView, NextAction, PaymentStatus, PaymentView};

use api::Session;
pub use screens::{
    FailureScreen, OtpScreen, PayForm, PendingScreen, RedirectScreen, SuccessScreen,
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
    /// The checkout could not be read.
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

/// The whole widget for the checkout named by the page's URL.
#[component]
pub fn Widget() -> impl IntoView {
    let location = window().location();
    let session = Session::parse(
        &location.pathname().unwrap_or_default(),
        &location.hash().unwrap_or_default(),
    );
    match session {
        Some(session) => view! { <Checkout session=session/> }.into_any(),
        None => view! {
            <Unavailable
                title="This payment link is incomplete"
                message="Open the payment again from the shop's page.".to_string()
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
    let session = StoredValue::new(session);
    let (screen, set_screen) = signal(Screen::Loading);
    let (checkout, set_checkout) = signal::<Option<CheckoutView>>(None);
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
            Err(e) => set_screen.set(Screen::Unavailable(e.message)),
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
                        if latest != following
                            && screen.get_untracked() == Screen::Pending(following.clone())
                        {
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

    view! {
        {move || {
            let Some(co) = checkout.get() else {
                return match screen.get() {
                    Screen::Unavailable(msg) => view! {
                        <Unavailable title="This checkout is not available" message=msg/>
                    }.into_any(),
                    _ => view! { <p class="loading">"Loading secure checkout…"</p> }.into_any(),
                };
            };
            match screen.get() {
                Screen::Loading | Screen::Form | Screen::Unavailable(_) => view! {
                    <PayForm
                        checkout=co
                        on_started=move |p: PaymentView| set_screen.set(Screen::for_payment(p))
                        session=session.get_value()
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
                        <PendingScreen payment=p on_cancel=close
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
