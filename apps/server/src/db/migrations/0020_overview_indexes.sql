-- Receipts kept the control used only inside the evidence JSON: copy it out once, then require it.
ALTER TABLE "banner_receipts" ADD COLUMN "action_kind" text;--> statement-breakpoint
UPDATE "banner_receipts" SET "action_kind" = "evidence"->'action'->>'kind' WHERE "action_kind" IS NULL;--> statement-breakpoint
ALTER TABLE "banner_receipts" ALTER COLUMN "action_kind" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "banner_receipts_received_idx" ON "banner_receipts" USING btree ("tenant_id","received_at","action_kind");--> statement-breakpoint
CREATE INDEX "consent_records_recorded_idx" ON "consent_records" USING btree ("tenant_id","recorded_at");--> statement-breakpoint
CREATE INDEX "requests_received_idx" ON "requests" USING btree ("tenant_id","received_at");--> statement-breakpoint
CREATE INDEX "requests_closed_idx" ON "requests" USING btree ("tenant_id","closed_at") WHERE closed_at is not null;