-- What a developer needs to replay a delivery and to find an event: each attempt's
-- Lipa-Signature header (the body is the event's, stored once in events.body; about 80 bytes
-- an attempt, at most a day of attempts), and the checkout and payment an event is about
-- (GET /v1/events?checkout=…&payment=…&type=…).
ALTER TABLE event_deliveries ADD COLUMN signature TEXT;
ALTER TABLE events ADD COLUMN checkout_id TEXT;
ALTER TABLE events ADD COLUMN payment_id TEXT;
UPDATE events SET checkout_id = json_extract(body, '$.data.checkout_id'),
                  payment_id = json_extract(body, '$.data.payment_id');
CREATE INDEX events_by_checkout ON events (checkout_id, created_at_ms);
CREATE INDEX events_by_payment ON events (payment_id, created_at_ms);
CREATE INDEX events_by_type ON events (type, created_at_ms);
