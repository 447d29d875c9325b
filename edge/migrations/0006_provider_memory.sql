-- What a provider remembers between checkouts, under keys of its own (Dollr: a customer's
-- party and counterparty, each collection's invoice). Replaces Dollr's own tables: the edge
-- no longer knows what a provider keeps. The old tables are copied, not dropped: a Worker of
-- the previous version may still read them while a deploy switches over; a later migration
-- drops them.
CREATE TABLE provider_memory (
  provider      TEXT NOT NULL,
  key           TEXT NOT NULL,
  value         TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (provider, key)
);

INSERT INTO provider_memory (provider, key, value, created_at_ms)
  SELECT 'dollr', 'customer:' || msisdn,
         json_object('party_id', party_id, 'counterparty_id', counterparty_id), created_at_ms
  FROM dollr_customers;

INSERT INTO provider_memory (provider, key, value, created_at_ms)
  SELECT 'dollr', 'invoice:' || payment_id, invoice_id, created_at_ms
  FROM dollr_invoices;

