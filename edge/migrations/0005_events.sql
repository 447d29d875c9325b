-- Every merchant event and every attempt to deliver it (GET /v1/events, resend).
CREATE TABLE events (
  id              TEXT PRIMARY KEY,
  type            TEXT NOT NULL,
  owner           TEXT NOT NULL,
  body            TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  delivered_at_ms INTEGER,
  attempts        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_by_time ON events (created_at_ms);

CREATE TABLE event_deliveries (
  event_id   TEXT NOT NULL REFERENCES events (id),
  attempt    INTEGER NOT NULL,
  status     INTEGER,
  latency_ms INTEGER NOT NULL,
  error      TEXT,
  at_ms      INTEGER NOT NULL,
  PRIMARY KEY (event_id, attempt)
);
