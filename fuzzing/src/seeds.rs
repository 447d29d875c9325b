//! Starting inputs for each target, in its input format, taken from the providers' guide
//! examples and the adapters' test fixtures. `cargo xtask fuzz` hands them to libFuzzer
//! beside the committed corpus (they are not copied into it), and the replay test runs them.

use crate::input::{encode_response, Message};
use crate::webhooks::{NOW_S, SIGN};

const CRISSCROSS_EVENT: &str = r#"{"eventId":"ev1","type":"transaction.completed","transactionId":"t1","status":"completed","merchantReference":"coabc123","amount":150000,"currency":"KES","sessionId":"s1"}"#;
const CRISSCROSS_TX: &str = r#"{"transactionId":"t1","sessionId":"s1","merchantReference":"coabc123","type":"mobilemoney","status":"FAILED","message":"x","authState":{"type":"auth_failure","code":"wrong_pin","canRetry":true,"canPoll":false},"amount":150000,"currency":"KES","paymentDetails":{"provider":"mpesa","payerMobileNumber":"+254712000001"}}"#;

const HONEYCOIN_EVENTS: [&str; 4] = [
    r#"{"event": "transaction_created", "data": {"transactionId": "BeOfXV1NVIcZlsSVeQAF", "status": "pending", "type": "deposit", "externalReference": "test"}, "timestamp": "2024-10-03T16:33:14.600Z"}"#,
    r#"{"event": "transaction_updated", "data": {"transactionId": "BeOfXV1NVIcZlsSVeQAF", "status": "failed", "type": "deposit", "externalReference": "test", "method": "momo", "note": "User could not be reached by stk"}, "timestamp": "2024-10-03T16:34:14.600Z"}"#,
    r#"{"eventId": "evt_1", "event": "transaction_updated", "data": {"transactionId": "T1", "status": "pending", "stepRequired": "redirect", "redirectUrl": "https://test.com", "amount": 1500.5, "currency": "KES", "externalReference": "pay_1"}, "timestamp": "2024-10-03T16:34:00Z"}"#,
    r#"{"event": "transaction_updated", "data": {"transactionId": "T1", "status": "pending", "stepRequired": "otp", "amount": 5000, "currency": "UGX"}}"#,
];
const HONEYCOIN_TX: &str = r#"{"success": true, "data": {"transactionId": "lBK9bMny2gs4hLsG3XGq", "amount": 25, "type": "deposit", "currency": "KES", "chargeStatus": "successful", "status": "SUCCESSFUL", "method": "momo", "note": "TFH174NFSJ Confirmed.", "fullTimestamp": "2025-06-17T01:16:44+03:00", "externalReference": "test", "stepRequired": null}}"#;

const XTOPAY_CALLBACKS: [&str; 2] = [
    r#"{"ResponseCode": "0000", "Message": "success", "Data": {"Amount": 80, "Charges": 5, "AmountAfterCharges": 80, "Description": "The Telecel Cash payment has been approved and processed successfully", "ClientReference": "3jL2KlUy3vt21", "TransactionId": "09f84e20a283942e807128e8c21d08d6", "ExternalTransactionId": "2116938399", "AmountCharged": 85, "OrderId": "09f84e20a283942e807128e8c21d08d6", "PaymentDate": "2026-06-06T12:00:44Z"}}"#,
    r#"{"ResponseCode": "2001", "Message": "failed", "Data": {"Amount": 80, "Charges": 5, "AmountAfterCharges": 80, "Description": "FAILED: User entered wrong PIN", "ClientReference": "3jL2KlUy3vt21", "TransactionId": "09f84e20a283942e807128e8c21d08d6"}}"#,
];
const XTOPAY_RECEIVE: &str = r#"{"success": true, "message": "Transaction pending. Expect callback request for final state", "responseCode": "0001", "data": {"id": "pay_09f84e20a283942e807128e8c21d08d6", "reference": "3jL2KlUy3vt21", "status": "PROCESSING", "amount": 80, "currency": "GHS", "phone": "233200000000", "provider": "TELECEL", "description": "Union Dues", "createdAt": "2026-06-06T12:00:00Z"}}"#;
const XTOPAY_STATUS: &str = r#"{"message": "Successful", "responseCode": "0000", "data": {"date": "2026-06-06T12:00:44Z", "status": "Paid", "transactionId": "09f84e20a283942e807128e8c21d08d6", "externalTransactionId": "2116938399", "paymentMethod": "mobilemoney", "clientReference": "3jL2KlUy3vt21", "currencyCode": "GHS", "amount": 80, "charges": 5, "amountAfterCharges": 75, "isFulfilled": true}}"#;

const LITTLE_CALLBACK: &str = r#"{"reference":"ref-1","status":"COMPLETED","payload":{"billingAddress":{"firstName":"Amani","lastName":"Njeri"}},"amount":1500,"key":"k1","currency":"KES","provider":"MPESA","date":"2024-05-13T08:26:18.719Z"}"#;
const LITTLE_PROCESS: &str = r#"{"date": "2024-03-07T13:03:43.598Z", "data": {"status": "PENDING", "message": "You will be promoted to enter your MPESA PIN", "meta": {"provider": "MPESA", "providerReference": "", "stepUpUrl": "https://step.up/x", "accessToken": null, "amount": 1, "currency": "KES", "description": "", "reference": ""}}}"#;
const LITTLE_STATUS: &str = r#"{"date": "2024-05-13T08:26:18.719Z", "data": {"reference": "1cbfffbc-b365-45f6-9e5d-13e445c125cd", "status": "PENDING", "payload": {"billingAddress": {"firstName": "", "lastName": ""}}, "amount": 1, "payment": {"provider": "MPESA", "details": null}, "key": "", "attempts": [{"reference": "1cbfffbc", "provider": "MPESA", "status": "FAILED"}, {"reference": "2", "provider": "MPESA", "status": "COMPLETED"}]}}"#;

const DOLLR_STATUS: &str = r#"{"reference_id":"6f1c2d3e-0000-4000-8000-000000000001","payment_intent_id":"pi_1","status":"FAILED","failure_reason":"INSUFFICIENT_BALANCE","amount":10.5,"currency":"LRD"}"#;
const DOLLR_RECEIPT: &str = r#"{"id":"inv_1","currency":"LRD","amount":10.5,"fee":0.32,"total_amount":10.82,"fx_rate":1.0,"provider":"ORANGE_MONEY_LBR","paid_at":"2026-11-22T10:00:00Z","items":[{"name":"Order 1042","qty":1,"amount":10.5,"currency":"LRD"}]}"#;

fn signed(header: &[(&str, &str)], body: &str) -> [Vec<u8>; 2] {
    [
        Message::encode(&[SIGN], &[], body.as_bytes()),
        Message::encode(&[0], header, body.as_bytes()),
    ]
}

fn ok(body: &str) -> Vec<u8> {
    encode_response(200, &[], body)
}

/// The seeds of the target named `name` (none for a name that is no target).
pub fn for_target(name: &str) -> Vec<Vec<u8>> {
    match name {
        "crisscross_webhook" => [CRISSCROSS_EVENT, CRISSCROSS_TX]
            .into_iter()
            .flat_map(|body| signed(&[("X-CrissCross-Signature", "00ff")], body))
            .collect(),
        "honeycoin_webhook" => HONEYCOIN_EVENTS
            .into_iter()
            .flat_map(|body| signed(&[("X-Webhook-Signature", "whsec_other")], body))
            .collect(),
        "xtopay_callback" => XTOPAY_CALLBACKS
            .into_iter()
            .flat_map(|body| {
                signed(
                    &[
                        ("x-xtopay-signature", "sha256=00ff"),
                        ("x-xtopay-event-id", "evt-1"),
                    ],
                    body,
                )
            })
            .collect(),
        "little_callback" => {
            let now = NOW_S.to_string();
            let stale = (NOW_S - 301).to_string();
            let spaced = LITTLE_CALLBACK.replace(",\"", ", \"");
            vec![
                Message::encode(&[SIGN], &[], LITTLE_CALLBACK.as_bytes()),
                Message::encode(&[SIGN], &[], spaced.as_bytes()),
                Message::encode(
                    &[SIGN],
                    &[("X-LittlePay-Timestamp", &stale)],
                    LITTLE_CALLBACK.as_bytes(),
                ),
                Message::encode(
                    &[0],
                    &[
                        ("X-LittlePay-Signature", "c2lnbmF0dXJl"),
                        ("X-LittlePay-Timestamp", &now),
                    ],
                    LITTLE_CALLBACK.as_bytes(),
                ),
            ]
        }
        "crisscross_responses" => vec![
            ok(r#"{"accessToken":"tok","tokenType":"Bearer","expiresIn":3600}"#),
            encode_response(
                201,
                &[],
                r#"{"sessionId":"0190-s","status":"OPEN","expiresAt":"2026-01-01T03:00:00.123+03:00"}"#,
            ),
            ok(
                r#"{"paymentMethods":[{"type":"card","provider":{"options":[{"code":"visa"}]}},{"type":"mobilemoney","provider":{"options":[{"code":"mtn","name":"MTN"},{"code":"newco"}]}}]}"#,
            ),
            ok(CRISSCROSS_TX),
            ok(
                r#"{"transactionId":"t1","status":"ERRORED","authState":{"type":"error","canRetry":false,"canPoll":true}}"#,
            ),
            ok(r#"{"refundId":"rf_1","status":"failed","message":"Refund window closed"}"#),
            encode_response(
                409,
                &[],
                r#"{"message":"live","error":"Conflict","statusCode":409}"#,
            ),
            encode_response(429, &[("Retry-After", "3")], "{}"),
        ],
        "honeycoin_responses" => vec![
            ok(r#"{"success":true,"token":"tok","expiresAt":"2026-11-22T09:00:00Z"}"#),
            ok(
                r#"{"success":true,"data":[{"id":"mtn_ug","name":"MTN Uganda","currency":"UGX"},{"id":"airtel","name":"Airtel Money"},{"id":"x","name":"Other"}]}"#,
            ),
            ok(
                r#"{"success": true, "message": "Initiated request.", "transactionId": "123456789"}"#,
            ),
            ok(HONEYCOIN_TX),
            ok(
                r#"{"success":true,"data":{"transactionId":"t","chargeStatus":"pending","status":"PENDING","stepRequired":"redirect","redirectUrl":"https://test.com"}}"#,
            ),
            encode_response(
                404,
                &[],
                r#"{"success":false,"message":"Transaction not found"}"#,
            ),
            encode_response(
                400,
                &[],
                r#"{"success":false,"message":"Invalid OTP. 2 attempts remaining."}"#,
            ),
        ],
        "xtopay_responses" => vec![
            ok(XTOPAY_RECEIVE),
            encode_response(
                400,
                &[],
                r#"{"success": false, "message": "m", "responseCode": "2001"}"#,
            ),
            ok(XTOPAY_STATUS),
            encode_response(
                404,
                &[],
                r#"{"responseCode": "4000", "message": "Transaction not found"}"#,
            ),
            ok(
                r#"{"success": false, "responseCode": "4000", "message": "Transaction not found", "data": null}"#,
            ),
        ],
        "little_responses" => vec![
            ok(r#"{"data":{"reference":"intent-9","checkoutUrl":"https://x"}}"#),
            ok(LITTLE_PROCESS),
            ok(LITTLE_STATUS),
            ok(
                r#"{"data":{"reference":"i1","status":"COMPLETED","amount":5000,"currency":"UGX","key":"k1"}}"#,
            ),
            encode_response(401, &[], r#"{"message":"bad key"}"#),
        ],
        "dollr_responses" => vec![
            ok(r#"{"access_token":"eyJ","token_type":"bearer","expires_in":30}"#),
            encode_response(201, &[], r#"{"id":"pty_1","name":"x"}"#),
            ok(r#"{"id":"inv_1","status":"ACTIVE"}"#),
            ok(r#"{"amount":5000,"fee":150,"total_amount":5150,"currency":"RWF","fx_rate":1.0}"#),
            ok(
                r#"{"payment_method":"MOBILE_MONEY","gateway_provider":"MTN_MOMO_RWA","country":"RWA"}"#,
            ),
            ok(DOLLR_STATUS),
            ok(DOLLR_RECEIPT),
            encode_response(
                422,
                &[],
                r#"{"detail":[{"loc":["body","items",0,"qty"],"msg":"must be positive","type":"value_error"}]}"#,
            ),
            encode_response(404, &[], r#"{"detail":"Not found"}"#),
        ],
        "little_js_json" => {
            let cases: Vec<(String, String)> = serde_json::from_str(include_str!(
                "../../providers/fixtures/little/stringify_cases.json"
            ))
            .unwrap_or_default();
            cases
                .into_iter()
                .map(|(input, _)| input.into_bytes())
                .collect()
        }
        "api_create_checkout" => bodies(&[
            r#"{"amount":150000,"currency":"KES","country":"KE","reference":"order-42","description":"Kikoi","customer_phone":"0712 000 001"}"#,
            r#"{"amount":5000,"currency":"UGX","country":"ug","reference":"o_1","customer_phone":"+256 772 000 001"}"#,
            r#"{"amount":1.5,"currency":"KES","country":"KE","reference":"x"}"#,
        ]),
        "api_start_payment" => bodies(&[
            r#"{"operator":"mpesa","phone":"0712 000 001"}"#,
            r#"{"operator":"mtn_momo","phone":"+233 24 000 0001"}"#,
            r#"{"operator":"orange_money"}"#,
        ]),
        "api_submit_otp" => bodies(&[r#"{"otp":"123456"}"#, r#"{"otp":" 1234 "}"#]),
        "api_create_refund" => bodies(&[
            r#"{"payment_id":"pay_1","amount":5000,"reason":"returned"}"#,
            r#"{"payment_id":"pay_1"}"#,
        ]),
        "api_create_payout" => bodies(&[
            r#"{"amount":5000,"currency":"RWF","country":"RW","operator":"mtn_momo","phone":"0788000001","reference":"po-1"}"#,
            r#"{"amount":1000,"currency":"LRD","country":"LR","operator":"orange_money","phone":"+231 77 000 0001"}"#,
        ]),
        _ => Vec::new(),
    }
}

fn bodies(texts: &[&str]) -> Vec<Vec<u8>> {
    texts.iter().map(|t| t.as_bytes().to_vec()).collect()
}
