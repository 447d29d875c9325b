//! The rules that decide how much may be refunded and how a refund moves.

use lipa_api::refund::{CreateRefund, TransferStatus};
use lipa_api::{ErrorCode, FailureReason, PaymentStatus};

use super::*;
use crate::checkout::record::tests::{payment, record};

fn refund(id: &str, amount: i64, status: TransferStatus) -> RefundRecord {
    RefundRecord {
        id: id.into(),
        payment_id: "pay_1".into(),
        amount,
        reason: None,
        status,
        failure_message: None,
        reference_id: format!("ref-{id}"),
        provider_ref: None,
        idempotency_key: format!("key-{id}"),
        request_digest: "d".into(),
        created_at_ms: 0,
        updated_at_ms: 0,
        next_poll_at_ms: Some(1_000),
    }
}

fn ask(amount: Option<i64>) -> CreateRefund {
    CreateRefund {
        payment_id: "pay_1".into(),
        amount,
        reason: None,
    }
}

#[test]
fn only_a_succeeded_payment_is_refunded_and_never_beyond_what_it_took() {
    let mut r = record();
    r.payments.push(payment(
        "pay_1",
        PaymentStatus::Failed {
            reason: FailureReason::Declined,
            retryable: true,
        },
    ));
    assert_eq!(
        r.check_refund(&ask(None)).unwrap_err().code,
        ErrorCode::NotSucceeded
    );
    r.payments[0].status = PaymentStatus::Succeeded;
    assert_eq!(
        r.check_refund(&ask(None)),
        Ok(150_000),
        "the whole amount by default"
    );
    assert_eq!(r.check_refund(&ask(Some(50_000))), Ok(50_000));
    let too_much = r.check_refund(&ask(Some(150_001))).unwrap_err();
    assert_eq!(
        (too_much.code, too_much.field.as_deref()),
        (ErrorCode::InvalidField, Some("amount"))
    );
    r.refunds
        .push(refund("re_1", 100_000, TransferStatus::Pending));
    r.refunds
        .push(refund("re_2", 50_000, TransferStatus::Failed));
    assert_eq!(
        r.check_refund(&ask(None)),
        Ok(50_000),
        "a failed refund gives its amount back"
    );
    r.refunds
        .push(refund("re_3", 50_000, TransferStatus::Succeeded));
    assert_eq!(
        r.check_refund(&ask(None)).unwrap_err().code,
        ErrorCode::NotRefundable
    );
    let unknown = CreateRefund {
        payment_id: "pay_x".into(),
        ..ask(None)
    };
    assert_eq!(
        r.check_refund(&unknown).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn the_same_key_finds_the_same_refund_and_another_body_is_a_conflict() {
    let mut r = record();
    r.refunds.push(refund("re_1", 100, TransferStatus::Pending));
    let same = RefundRequest {
        input: ask(None),
        idempotency_key: "key-re_1".into(),
        digest: "d".into(),
    };
    assert_eq!(
        r.refund_for_key(&same).unwrap().map(|x| x.id.as_str()),
        Some("re_1")
    );
    let other = RefundRequest {
        digest: "e".into(),
        ..same.clone()
    };
    assert_eq!(
        r.refund_for_key(&other).unwrap_err().code,
        ErrorCode::IdempotencyConflict
    );
    let fresh = RefundRequest {
        idempotency_key: "new".into(),
        ..same
    };
    assert_eq!(r.refund_for_key(&fresh).unwrap(), None);
}

#[test]
fn a_final_refund_queues_one_event_and_never_changes_again() {
    let mut r = record();
    r.payments.push(payment("pay_1", PaymentStatus::Succeeded));
    r.refunds.push(refund("re_1", 100, TransferStatus::Pending));
    let done = Transfer {
        provider_ref: Some("rf_9".into()),
        status: TransferStatus::Succeeded,
        failure_message: None,
        unknown_status: None,
    };
    r.apply_refund("re_1", &done, "evt_1", 10);
    r.apply_refund("re_1", &done, "evt_2", 11);
    let failed = Transfer {
        status: TransferStatus::Failed,
        ..done.clone()
    };
    r.apply_refund("re_1", &failed, "evt_3", 12);
    assert_eq!(r.refunds[0].status, TransferStatus::Succeeded);
    assert_eq!(r.refunds[0].provider_ref.as_deref(), Some("rf_9"));
    assert_eq!(r.refunds[0].next_poll_at_ms, None);
    assert_eq!(r.outbox.len(), 1);
    assert!(r.outbox[0].body.contains("refund.succeeded"));
    assert_eq!(
        r.payments[0].status,
        PaymentStatus::Succeeded,
        "the payment is untouched"
    );
}
