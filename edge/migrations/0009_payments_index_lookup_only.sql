-- The payments index keeps only what finds a checkout (a payment's id, its provider and the
-- provider's id). Where a payment stands is the Checkout Durable Object's alone: writing the
-- status here too cost a D1 write on every poll and provider answer (issue #15).
ALTER TABLE payments DROP COLUMN status;
ALTER TABLE payments DROP COLUMN updated_at_ms;
