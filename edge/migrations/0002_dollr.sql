-- Dollr keeps a party and a counterparty per customer: created once per phone number and
-- reused. Each Dollr collection's invoice is recorded before its execution, for receipts
-- and refunds.
CREATE TABLE dollr_customers (
  msisdn          TEXT PRIMARY KEY,
  party_id        TEXT NOT NULL,
  counterparty_id TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL
);

CREATE TABLE dollr_invoices (
  payment_id    TEXT PRIMARY KEY,
  invoice_id    TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
