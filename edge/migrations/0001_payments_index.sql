-- The payments index. The Checkout Durable Object owns each checkout's state; these rows
-- let the edge find a checkout by merchant reference or by a provider's transaction id.
CREATE TABLE checkouts (
  id            TEXT PRIMARY KEY,
  reference     TEXT NOT NULL,
  amount        INTEGER NOT NULL,
  currency      TEXT NOT NULL,
  country       TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX checkouts_by_reference ON checkouts (reference);

CREATE TABLE payments (
  id            TEXT PRIMARY KEY,
  checkout_id   TEXT NOT NULL REFERENCES checkouts (id),
  provider      TEXT NOT NULL,
  provider_ref  TEXT,
  status        TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX payments_by_provider_ref ON payments (provider, provider_ref);
CREATE INDEX payments_by_checkout ON payments (checkout_id);
