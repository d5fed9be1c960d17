CREATE TABLE "opendsr_requests" (
	"tenant_id" text NOT NULL,
	"subject_request_id" text NOT NULL,
	"request_id" text NOT NULL,
	"regulation" text NOT NULL,
	"subject_request_type" text NOT NULL,
	"submitted_time" timestamp with time zone NOT NULL,
	"received_time" timestamp with time zone NOT NULL,
	"encoded_request" text NOT NULL,
	"callback_urls_sealed" "bytea" NOT NULL,
	"last_status" text NOT NULL,
	CONSTRAINT "opendsr_requests_tenant_id_subject_request_id_pk" PRIMARY KEY("tenant_id","subject_request_id"),
	CONSTRAINT "opendsr_requests_request_key" UNIQUE("tenant_id","request_id")
);
--> statement-breakpoint
ALTER TABLE "opendsr_requests" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "request_events" (
	"tenant_id" text NOT NULL,
	"request_id" text NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"kind" text NOT NULL,
	"from_state" text,
	"to_state" text,
	"details" jsonb NOT NULL,
	CONSTRAINT "request_events_tenant_id_request_id_seq_pk" PRIMARY KEY("tenant_id","request_id","seq")
);
--> statement-breakpoint
ALTER TABLE "request_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "request_messages" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"request_id" text,
	"sealed" "bytea" NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "request_messages_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "request_messages" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "request_tasks" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"request_id" text NOT NULL,
	"kind" text NOT NULL,
	"target_id" text NOT NULL,
	"name" text NOT NULL,
	"state" text NOT NULL,
	"attempts" integer NOT NULL,
	"records_affected" integer,
	"note" text,
	"checklist" jsonb,
	"token_hash" text,
	"created_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "request_tasks_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "request_tasks_target_key" UNIQUE("tenant_id","request_id","kind","target_id")
);
--> statement-breakpoint
ALTER TABLE "request_tasks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "request_verifications" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"request_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"code_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"attempts" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "request_verifications_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "request_verifications_token_key" UNIQUE("tenant_id","token_hash")
);
--> statement-breakpoint
ALTER TABLE "request_verifications" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "requests" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"types" text[] NOT NULL,
	"state" text NOT NULL,
	"channel" text NOT NULL,
	"subject_id" text,
	"identities_sealed" "bytea" NOT NULL,
	"sealed_under" text NOT NULL,
	"locale" text NOT NULL,
	"jurisdiction" text NOT NULL,
	"time_zone" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"start_date" text NOT NULL,
	"original_due_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"clock_paused_at" timestamp with time zone,
	"verified_at" timestamp with time zone,
	"extension" jsonb,
	"refusal" jsonb,
	"fee" jsonb,
	"assignee" text,
	"duplicate_of" text,
	"certificate" text,
	"reminded_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "requests_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "requests" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "request_messages_request_idx" ON "request_messages" USING btree ("tenant_id","request_id");--> statement-breakpoint
CREATE INDEX "request_verifications_request_idx" ON "request_verifications" USING btree ("tenant_id","request_id");--> statement-breakpoint
CREATE INDEX "requests_subject_idx" ON "requests" USING btree ("tenant_id","subject_id");--> statement-breakpoint
CREATE INDEX "requests_open_due_idx" ON "requests" USING btree ("tenant_id","due_at") WHERE closed_at is null;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "opendsr_requests" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "request_events" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "request_messages" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "request_tasks" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "request_verifications" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "requests" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));