use super::*;
use lipa_api::{Country, Currency, FailureReason, OperatorView};

fn checkout() -> CheckoutView {
    CheckoutView {
        id: "co_1".into(),
        merchant_name: "Duka <b>\"Bora\"</b> & 'Sons'".into(),
        amount: 150_000,
        currency: Currency::KES,
        country: Country::KE,
        description: "<script>alert(1)</script>".into(),
        operators: vec![
            OperatorView {
                id: Operator::Mpesa,
                name: "M-Pesa".into(),
                fee: 0,
                verify_phone: false,
            },
            OperatorView {
                id: Operator::AirtelMoney,
                name: "Airtel Money".into(),
                fee: 0,
                verify_phone: false,
            },
        ],
        locked_phone: None,
        payment: None,
        expires_at_ms: Some(10_000),
        success_url: Some("https://shop.example/ok?a=1&b=2".into()),
        cancel_url: Some("https://shop.example/cancel".into()),
    }
}

fn payment(status: PaymentStatus) -> PaymentView {
    PaymentView {
        id: "pay_1".into(),
        operator: Operator::Mpesa,
        phone_masked: "+254 ••• ••• 001".into(),
        status,
        created_at_ms: 0,
        retry_at_ms: Some(5_000),
        otp_attempts_left: None,
    }
}

fn render_at(co: &CheckoutView, now: i64, notice: Option<Notice>) -> String {
    let page = Page {
        locale: Locale::En,
        checkout: co,
        token: "lk_a",
        csrf: "c5rf",
        self_url: "/pay/co_1?t=lk_a",
        qr_svg: Some("<svg/>".into()),
        now_ms: now,
        notice,
        typed: Typed::default(),
        no_refresh: false,
    };
    render(&page, &Screen::of(co, now))
}

#[test]
fn escapes_text_and_attribute_values() {
    assert_eq!(
        esc("<a href=\"x\">'&'</a>"),
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
    );
    assert_eq!(esc("M-Pesa • 001"), "M-Pesa • 001");
}

#[test]
fn merchant_and_customer_text_is_escaped_everywhere() {
    let html = render_at(&checkout(), 0, None);
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<b>"));
    assert!(html.contains("Duka &lt;b&gt;&quot;Bora&quot;&lt;/b&gt; &amp; &#39;Sons&#39;"));
    // URLs in attributes are escaped too (& in a query).
    assert!(html
        .contains("data-success-url=\"https://shop.example/ok?a=1&amp;b=2&amp;checkout_id=co_1\""));
    let mut typed = checkout();
    typed.payment = None;
    let page = Page {
        locale: Locale::En,
        checkout: &typed,
        token: "lk_\"><x",
        csrf: "c",
        self_url: "/pay/co_1?t=lk_a",
        qr_svg: None,
        now_ms: 0,
        notice: Some(Notice::Phone("<i>bad</i>".into())),
        typed: Typed {
            operator: None,
            phone: "\"><script>x</script>".into(),
        },
        no_refresh: false,
    };
    let html = render(&page, &Screen::Form);
    assert!(!html.contains("<script>x"), "{html}");
    assert!(!html.contains("<i>bad"), "{html}");
    assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""));
    assert!(html.contains("value=\"lk_&quot;&gt;&lt;x\""));
}

#[test]
fn the_form_is_an_accessible_plain_html_form() {
    let html = render_at(&checkout(), 0, None);
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<form class=\"screen\" method=\"post\" action=\"/pay/co_1\">"));
    assert!(html.contains("<legend>Choose your mobile money operator</legend>"));
    assert!(html.contains("<input type=\"radio\" name=\"operator\" value=\"mpesa\" checked>"));
    assert!(html.contains("<label for=\"phone\" class=\"field-label\">Mobile money number</label>"));
    assert!(html.contains("name=\"csrf\" value=\"c5rf\""));
    assert!(html.contains("<button type=\"submit\" class=\"primary\">Pay KES 1,500.00</button>"));
    assert!(html.contains(
        "<a href=\"https://shop.example/cancel\" rel=\"noreferrer\">Cancel and return to"
    ));
    assert!(html.contains("<aside class=\"qr\""));
    assert!(html.contains("alt=\"QR code of this payment page\""));
    assert!(html.contains("src=\"/widget/hosted.js\""));
    assert!(!html.contains("http-equiv=\"refresh\""));
    // A refusal is shown at its field and marks it invalid.
    let html = render_at(
        &checkout(),
        0,
        Some(Notice::Phone("Enter your number.".into())),
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html
        .contains("<p id=\"phone-error\" class=\"error\" role=\"alert\">Enter your number.</p>"));
    assert!(html.contains("aria-describedby=\"dialling-code phone-hint phone-error\""));
}

#[test]
fn the_pending_screen_reloads_itself_and_can_be_told_not_to() {
    let mut co = checkout();
    co.payment = Some(payment(PaymentStatus::Pending));
    let html = render_at(&co, 1_000, None);
    assert!(
        html.contains(
            "<noscript><meta http-equiv=\"refresh\" content=\"4;url=/pay/co_1?t=lk_a\"></noscript>"
        ),
        "{html}"
    );
    assert!(html.contains("data-refresh=\"4\""));
    assert!(html.contains("<h1 id=\"pending-title\">Check your phone</h1>"));
    assert!(html.contains("<span class=\"number\">+254 ••• ••• 001</span>"));
    assert!(html.contains("name=\"action\" value=\"check\""));
    assert!(html.contains("href=\"/pay/co_1?t=lk_a&amp;refresh=off\">Stop refreshing</a>"));
    // Within the approval window, no second form; after it, "Use another number".
    assert!(!html.contains("Use another number"));
    let later = render_at(&co, 6_000, None);
    assert!(later.contains("Use another number"));
    assert!(later.contains("name=\"action\" value=\"pay\""));
    // A payment live at the expiry is still followed, not shown as expired.
    let after_expiry = render_at(&co, 20_000, None);
    assert!(after_expiry.contains("Check your phone"));
}

#[test]
fn otp_redirect_success_closed_and_expired_screens() {
    let mut co = checkout();
    co.payment = Some(PaymentView {
        otp_attempts_left: Some(2),
        ..payment(PaymentStatus::ActionRequired {
            action: NextAction::Otp,
        })
    });
    let html = render_at(&co, 0, Some(Notice::Otp("That code is not right.".into())));
    assert!(html.contains("<label for=\"otp\" class=\"field-label\">One-time code</label>"));
    assert!(html.contains("autocomplete=\"one-time-code\""));
    assert!(html.contains("aria-describedby=\"otp-error\""));

    co.payment = Some(payment(PaymentStatus::ActionRequired {
        action: NextAction::Redirect {
            url: "https://op.example/approve?x=\"1\"".into(),
        },
    }));
    let html = render_at(&co, 0, None);
    assert!(html.contains("href=\"https://op.example/approve?x=&quot;1&quot;\" target=\"_blank\" rel=\"noopener noreferrer\">Continue to M-Pesa</a>"));

    co.payment = Some(payment(PaymentStatus::Succeeded));
    let html = render_at(&co, 0, None);
    assert!(html.contains("Payment successful"));
    assert!(html.contains("href=\"https://shop.example/ok?a=1&amp;b=2&amp;checkout_id=co_1\""));
    assert!(!html.contains("hosted.js"));
    assert!(!html.contains("Cancel and return"));

    co.payment = Some(payment(PaymentStatus::Failed {
        reason: FailureReason::NotRegistered,
        retryable: false,
    }));
    assert_eq!(
        Screen::of(&co, 0),
        Screen::Closed(co.payment.clone().unwrap())
    );
    co.payment = Some(payment(PaymentStatus::Failed {
        reason: FailureReason::InsufficientFunds,
        retryable: true,
    }));
    let html = render_at(&co, 0, None);
    assert!(html.contains("There is not enough money"));
    assert!(html.contains("name=\"action\" value=\"pay\""));

    // Past the expiry with nothing live: the link says so, in the customer's language.
    let html = render_at(&co, 10_000, None);
    assert_eq!(Screen::of(&co, 10_000), Screen::Expired);
    assert!(html.contains("This payment link has expired"));
    assert!(html.contains("1970-01-01 00:00 UTC"));
    assert!(!html.contains("<form"));
    assert_eq!(status_of(&Screen::Expired, &None), 410);
}

#[test]
fn utc_minutes_are_calendar_dates() {
    assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
    assert_eq!(utc_minute(1_795_962_300_000), "2026-11-29 14:25 UTC");
    assert_eq!(utc_minute(951_782_400_000), "2000-02-29 00:00 UTC");
}

fn render_verify(v: Verifying, notice: Option<Notice>, locale: Locale) -> String {
    let co = checkout();
    let page = Page {
        locale,
        checkout: &co,
        token: "lk_a",
        csrf: "c5rf",
        self_url: "/pay/co_1?t=lk_a",
        qr_svg: Some("<svg/>".into()),
        now_ms: 0,
        notice,
        typed: Typed::default(),
        no_refresh: false,
    };
    render(&page, &Screen::Verify(v))
}

fn verifying(resent: bool) -> Verifying {
    Verifying {
        operator: Operator::Mpesa,
        phone: "0712\"><i>x".into(),
        phone_masked: "+254 ••• ••• 001".into(),
        left: 3,
        resent,
    }
}

#[test]
fn the_confirm_your_number_screen_is_two_plain_forms_and_a_link() {
    let html = render_verify(verifying(false), None, Locale::En);
    assert!(html.contains("<title>Confirm your number · "));
    assert!(html.contains("<h1 id=\"verify-title\">Confirm your number</h1>"));
    assert!(html.contains("We sent a 6-digit code by SMS to +254 ••• ••• 001."));
    assert!(
        html.contains("<label for=\"verify-code\" class=\"field-label\">Code from the SMS</label>")
    );
    assert!(html.contains("<input id=\"verify-code\" name=\"code\" class=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\" aria-invalid=\"false\">"));
    assert!(html.contains("<input type=\"hidden\" name=\"action\" value=\"verify\">"));
    assert!(html.contains("<input type=\"hidden\" name=\"action\" value=\"resend\">"));
    assert_eq!(html.matches("name=\"csrf\" value=\"c5rf\"").count(), 2);
    assert_eq!(
        html.matches("<input type=\"hidden\" name=\"left\" value=\"3\">")
            .count(),
        2
    );
    assert!(html.contains("<input type=\"hidden\" name=\"operator\" value=\"mpesa\">"));
    // The number as typed goes back escaped; nothing of it is markup.
    assert!(html.contains("name=\"phone\" value=\"0712&quot;&gt;&lt;i&gt;x\""));
    assert!(!html.contains("<i>x"));
    assert!(html.contains("<button type=\"submit\" class=\"primary\">Confirm number</button>"));
    assert!(html.contains("<button type=\"submit\" class=\"secondary\">Send a new code</button>"));
    assert!(html.contains(
        "<a class=\"button secondary\" href=\"/pay/co_1?t=lk_a\">Use another number</a>"
    ));
    assert!(!html.contains("role=\"status\""));
    assert!(!html.contains("http-equiv=\"refresh\""));
    assert!(!html.contains("<aside class=\"qr\""));
    assert!(html.contains("Cancel and return to"));
    assert_eq!(status_of(&Screen::Verify(verifying(false)), &None), 200);
}

#[test]
fn the_confirm_your_number_screen_shows_errors_at_the_code_and_a_resent_note() {
    let wrong = Some(Notice::Code(
        "That code is not right. 2 attempts left.".into(),
    ));
    let html = render_verify(verifying(false), wrong.clone(), Locale::En);
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"verify-code-error\">"));
    assert!(html.contains("<p id=\"verify-code-error\" class=\"error\" role=\"alert\">That code is not right. 2 attempts left.</p>"));
    assert_eq!(status_of(&Screen::Verify(verifying(false)), &wrong), 422);
    let html = render_verify(verifying(true), None, Locale::En);
    assert!(html.contains("<p class=\"hint\" role=\"status\">A new code is on its way.</p>"));
    // In the customer's language.
    let html = render_verify(verifying(true), None, Locale::Fr);
    let fr = Locale::Fr.text();
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains(&esc(fr.verify.title)));
    assert!(html.contains(&esc(fr.verify.resend)));
    assert!(html.contains(&esc(fr.use_another_number)));
    assert!(!html.contains("Confirm your number"));
}
