CREATE TABLE "breach_notifications" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"breach_id" text NOT NULL,
	"recipient" text NOT NULL,
	"subject_id" text,
	"channel" text NOT NULL,
	"message_id" text,
	"outcome" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "breach_notifications_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "breach_notifications" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "breaches" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"status" text NOT NULL,
	"processor_side" boolean NOT NULL,
	"processor_aware_at" timestamp with time zone,
	"aware_at" timestamp with time zone NOT NULL,
	"deadline_at" timestamp with time zone NOT NULL,
	"occurred_from" timestamp with time zone,
	"occurred_to" timestamp with time zone,
	"what_happened" text NOT NULL,
	"subject_categories" text[] NOT NULL,
	"approx_subjects" integer,
	"approx_records" integer,
	"data_categories" text[] NOT NULL,
	"systems" text[] NOT NULL,
	"likely_consequences" text NOT NULL,
	"measures_taken" text NOT NULL,
	"measures_proposed" text NOT NULL,
	"recommended_actions" text NOT NULL,
	"contact_point" text NOT NULL,
	"risk" text NOT NULL,
	"request_window" jsonb,
	"authority_notified_at" timestamp with time zone,
	"authority_reference" text,
	"delay_reason" text,
	"subjects_notified_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"reminders_sent" integer[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "breaches_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "breaches" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "subprocessor_lists" (
	"id" text PRIMARY KEY NOT NULL,
	"entries" jsonb NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"announced_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "subprocessor_lists" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "breach_notifications_breach_idx" ON "breach_notifications" USING btree ("tenant_id","breach_id","subject_id");--> statement-breakpoint
CREATE INDEX "breaches_pending_deadline_idx" ON "breaches" USING btree ("deadline_at") WHERE authority_notified_at is null and closed_at is null;--> statement-breakpoint
CREATE INDEX "subprocessor_lists_effective_idx" ON "subprocessor_lists" USING btree ("effective_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "breach_notifications" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "breaches" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));