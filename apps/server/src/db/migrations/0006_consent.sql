CREATE TABLE "consent_records" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"submission_id" text NOT NULL,
	"subject_id" text NOT NULL,
	"purpose_key" text NOT NULL,
	"purpose_version" integer NOT NULL,
	"decision" text NOT NULL,
	"pending" text NOT NULL,
	"confirms" text,
	"notice_version_id" text NOT NULL,
	"notice_hash" text NOT NULL,
	"locale" text NOT NULL,
	"method" text NOT NULL,
	"affirmative_action" jsonb NOT NULL,
	"collection_point" jsonb NOT NULL,
	"evidence" jsonb NOT NULL,
	"ip_prefix" text,
	"user_agent" text,
	"actor" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "consent_records_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "consent_records" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "consent_state" (
	"tenant_id" text NOT NULL,
	"subject_id" text NOT NULL,
	"purpose_key" text NOT NULL,
	"state" text NOT NULL,
	"record_id" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	CONSTRAINT "consent_state_tenant_id_subject_id_purpose_key_pk" PRIMARY KEY("tenant_id","subject_id","purpose_key")
);
--> statement-breakpoint
ALTER TABLE "consent_state" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "consent_submissions" (
	"tenant_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"submission_id" text NOT NULL,
	"request_hash" text NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "consent_submissions_tenant_id_idempotency_key_pk" PRIMARY KEY("tenant_id","idempotency_key")
);
--> statement-breakpoint
ALTER TABLE "consent_submissions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notice_versions" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"notice_id" text NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"texts" jsonb NOT NULL,
	"purposes" jsonb NOT NULL,
	"rendered" jsonb,
	"effective_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "notice_versions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "notice_versions_version" UNIQUE("tenant_id","notice_id","version")
);
--> statement-breakpoint
ALTER TABLE "notice_versions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notices" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "notices_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "notices_key" UNIQUE("tenant_id","key")
);
--> statement-breakpoint
ALTER TABLE "notices" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "consent_records_subject_idx" ON "consent_records" USING btree ("tenant_id","subject_id","purpose_key","recorded_at");--> statement-breakpoint
CREATE INDEX "consent_state_purpose_idx" ON "consent_state" USING btree ("tenant_id","purpose_key","state");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "consent_records" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "consent_state" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "consent_submissions" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notice_versions" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notices" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));