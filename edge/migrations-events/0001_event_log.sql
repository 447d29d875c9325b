-- The merchant's event log, in a D1 database of its own (`lipa_events`): every event and every
-- attempt to deliver it (GET /v1/events, GET /v1/events/{id}, a delivery's replay). It lived in
-- `lipa` (migrations 0005, 0007, 0008 there), beside the payments index, until the payment
-- path's queries needed that database's time (BENCHMARKS.md, "D1: the event log in a database
-- of its own"). An event's attempts and when it was first delivered are counted from its
-- delivery rows when it is read.
CREATE TABLE events (
  id            TEXT PRIMARY KEY,
  type          TEXT NOT NULL,
  owner         TEXT NOT NULL,   -- the object that holds it: checkout:co_… or payout:…
  body          TEXT NOT NULL,   -- the signed body, as sent
  created_at_ms INTEGER NOT NULL,
  checkout_id   TEXT,
  payment_id    TEXT
);
CREATE INDEX events_by_time ON events (created_at_ms);
CREATE INDEX events_by_checkout ON events (checkout_id, created_at_ms);
CREATE INDEX events_by_payment ON events (payment_id, created_at_ms);
CREATE INDEX events_by_type ON events (type, created_at_ms);

-- One row per attempt, with the headers it was signed with (its body is the event's).
CREATE TABLE event_deliveries (
  event_id           TEXT NOT NULL REFERENCES events (id),
  attempt            INTEGER NOT NULL,
  status             INTEGER,
  latency_ms         INTEGER NOT NULL,
  error              TEXT,
  at_ms              INTEGER NOT NULL,
  signature          TEXT,    -- Lipa-Signature
  standard_signature TEXT,    -- webhook-signature (Standard Webhooks)
  PRIMARY KEY (event_id, attempt)
);
