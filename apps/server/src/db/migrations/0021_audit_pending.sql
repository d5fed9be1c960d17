CREATE TABLE "audit_pending" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"n" bigserial NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"subject_id" text,
	"request_id" text,
	"details" jsonb NOT NULL,
	CONSTRAINT "audit_pending_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "audit_pending" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "audit_pending_order_idx" ON "audit_pending" USING btree ("tenant_id","n");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "audit_pending" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
-- Pending audit entries may be added, read and removed by sealing; never changed.
REVOKE UPDATE, TRUNCATE ON audit_pending FROM lawful_app;
