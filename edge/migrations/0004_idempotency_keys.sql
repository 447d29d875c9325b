-- Idempotency-Key on every merchant POST: the first request's answer, kept at least 24 hours
-- (rows older than 48 hours are removed as new keys arrive).
CREATE TABLE idempotency_keys (
  route           TEXT NOT NULL,
  key             TEXT NOT NULL,
  digest          TEXT NOT NULL,
  status          INTEGER,
  body            TEXT,
  created_at_ms   INTEGER NOT NULL,
  PRIMARY KEY (route, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at_ms);
