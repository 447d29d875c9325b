-- Which checkout a refund belongs to (the Checkout object holds the refund itself), and
-- which Payout object holds a payout (named by the merchant's Idempotency-Key).
CREATE TABLE refunds (
  id            TEXT PRIMARY KEY,
  checkout_id   TEXT NOT NULL REFERENCES checkouts (id),
  created_at_ms INTEGER NOT NULL
);

CREATE TABLE payouts (
  id            TEXT PRIMARY KEY,
  object_name   TEXT NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL
);
