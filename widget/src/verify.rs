//! Phone verification for guests: on a route that asks for it (`verify_phone`, on for
//! Xtopay), the customer types the code the edge sent by SMS before any payment prompt.
//! Shown by [`crate::PayForm`] between Pay and the prompt; a number the merchant locked never
//! sees it.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::Arc;

use leptos::prelude::*;
use lipa_api::checkout::VERIFY_CODE_DIGITS;
use lipa_api::{Operator, VerificationView};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::api::{self, Session};
use crate::screens::CodeForm;
use crate::text;

/// The code a customer typed, without spaces, if it has the right shape.
pub fn typed_code(raw: &str) -> Option<String> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == VERIFY_CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// "Confirm your number": the code field (labelled, `autocomplete="one-time-code"` so the
/// browser can offer the SMS's code, errors announced), a new code on request, or back to
/// the form for another number.
#[component]
pub fn VerifyScreen(
    /// Authorizes the widget's calls.
    session: std::sync::Arc<Session>,
    /// The operator chosen (a new code is asked for the same route).
    operator: Operator,
    /// The number as the customer typed it.
    phone: String,
    /// What the edge answered when it sent the code.
    sent: VerificationView,
    /// The number is verified: go on to the payment.
    #[prop(into)]
    on_verified: Callback<()>,
    /// Back to the form (another number).
    #[prop(into)]
    on_back: Callback<()>,
) -> impl IntoView {
    let t = text();
    let v = t.verify;
    let (code, set_code) = signal(String::new());
    let (error, set_error) = signal::<Option<String>>(None);
    let (note, set_note) = signal::<Option<String>>(None);
    let (busy, set_busy) = signal(false);
    let session = StoredValue::new(session);
    let phone = StoredValue::new(phone);
    let say_refusal = move |e: &api::ApiError| {
        set_error.try_set(Some(t.verify_refusal_for(&e.code).to_string()));
    };
    // Never shown by itself: a plain shared cell, not a signal.
    let tries = Arc::new(AtomicU32::new(sent.attempts_left.unwrap_or(3)));
    // The code field takes focus once the screen is in the page, so a screen reader lands on
    // it. By id from a timer rather than a node ref and an effect: the same focus, with less
    // code.
    crate::live::set_timeout(
        Closure::once_into_js(|| {
            if let Some(el) = document()
                .get_element_by_id("verify-code")
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        })
        .unchecked_ref(),
        0,
    );
    let left_now = Arc::clone(&tries);
    let submit = move |_| {
        let tries = Arc::clone(&left_now);
        let Some(typed) = typed_code(&code.get_untracked()) else {
            set_error.set(Some(v.format.into()));
            return;
        };
        set_busy.set(true);
        set_note.set(None);
        leptos::task::spawn_local(async move {
            let answer = api::check_code(&session.get_value(), &phone.get_value(), &typed).await;
            set_busy.try_set(false);
            match answer {
                Ok(view) if view.verified => {
                    on_verified.try_run(());
                }
                Ok(_) => {
                    set_error.try_set(Some(t.something_wrong.into()));
                }
                Err(e) => {
                    set_code.try_set(String::new());
                    if e.code == "otp_incorrect" {
                        // "N attempts left" is in the edge's answer only as English text;
                        // the widget counts the same way: 3 per code.
                        let left = tries.load(Relaxed).saturating_sub(1);
                        tries.store(left, Relaxed);
                        set_error.try_set(Some((v.wrong)(left)));
                    } else {
                        say_refusal(&e);
                    }
                }
            }
        });
    };
    let resend = move |_| {
        if busy.get_untracked() {
            return;
        }
        let tries = Arc::clone(&tries);
        set_busy.set(true);
        set_error.set(None);
        set_note.set(None);
        leptos::task::spawn_local(async move {
            let answer =
                api::send_code(&session.get_value(), operator.id(), &phone.get_value()).await;
            set_busy.try_set(false);
            match answer {
                Ok(view) if view.verified => {
                    on_verified.try_run(());
                }
                Ok(view) => {
                    tries.store(view.attempts_left.unwrap_or(3), Relaxed);
                    set_code.try_set(String::new());
                    set_note.try_set(Some(v.resent.into()));
                }
                Err(e) => say_refusal(&e),
            }
        });
    };
    view! {
        <CodeForm
            id="verify-code"
            title_id="verify-title"
            error_id="verify-code-error"
            class="screen otp verify"
            title=v.title.to_string()
            body=(v.sent)(&sent.phone_masked)
            label=v.label
            max_digits="6"
            submit_label=v.submit
            code=code
            set_code=set_code
            error=error
            set_error=set_error
            busy=busy
            on_submit=submit
        >
            <p class="hint" role="status">{move || note.get()}</p>
            <button type="button" class="secondary" disabled=move || busy.get() on:click=resend>
                {v.resend}
            </button>
            <button type="button" class="secondary" on:click=move |_| on_back.run(())>
                {t.use_another_number}
            </button>
        </CodeForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_six_digits_spaces_aside() {
        assert_eq!(typed_code(" 123 456 "), Some("123456".into()));
        assert_eq!(typed_code("12345"), None);
        assert_eq!(typed_code("12345a"), None);
        assert_eq!(typed_code("1234567"), None);
    }
}
