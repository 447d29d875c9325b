-- Each attempt's Standard Webhooks `webhook-signature` header (its webhook-id is the event's
-- id, its webhook-timestamp the `t` of the attempt's Lipa-Signature), so GET /v1/events/{id}
-- shows every header the attempt sent.
ALTER TABLE event_deliveries ADD COLUMN standard_signature TEXT;
