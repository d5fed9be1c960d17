CREATE TABLE "audit_checkpoints" (
	"tenant_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"key_id" text NOT NULL,
	"signature" text NOT NULL,
	CONSTRAINT "audit_checkpoints_tenant_id_seq_pk" PRIMARY KEY("tenant_id","seq")
);
--> statement-breakpoint
ALTER TABLE "audit_checkpoints" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "audit_entries" (
	"tenant_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"subject_id" text,
	"request_id" text,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_entries_tenant_id_seq_pk" PRIMARY KEY("tenant_id","seq")
);
--> statement-breakpoint
ALTER TABLE "audit_entries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "audit_heads" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_heads" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "subject_identifiers" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"subject_id" text NOT NULL,
	"kind" text NOT NULL,
	"blind_index" text NOT NULL,
	"value_enc" "bytea" NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "subject_identifiers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "subject_identifiers_lookup_key" UNIQUE("tenant_id","kind","blind_index")
);
--> statement-breakpoint
ALTER TABLE "subject_identifiers" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "subject_keys" (
	"tenant_id" text NOT NULL,
	"subject_id" text NOT NULL,
	"wrapped" "bytea",
	"created_at" timestamp with time zone NOT NULL,
	"destroyed_at" timestamp with time zone,
	CONSTRAINT "subject_keys_tenant_id_subject_id_pk" PRIMARY KEY("tenant_id","subject_id")
);
--> statement-breakpoint
ALTER TABLE "subject_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "subjects" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"erased_at" timestamp with time zone,
	CONSTRAINT "subjects_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "subjects" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "api_keys" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "api_keys_hash_key" UNIQUE("hash")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"settings" jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"key_wrapped" "bytea" NOT NULL,
	"index_key_wrapped" "bytea" NOT NULL,
	"master_key_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "tenants_slug_key" UNIQUE("slug")
);
--> statement-breakpoint
ALTER TABLE "tenants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "audit_entries_subject_idx" ON "audit_entries" USING btree ("tenant_id","subject_id");--> statement-breakpoint
CREATE INDEX "audit_entries_action_idx" ON "audit_entries" USING btree ("tenant_id","action","at");--> statement-breakpoint
CREATE INDEX "subject_identifiers_subject_idx" ON "subject_identifiers" USING btree ("tenant_id","subject_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "audit_checkpoints" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "audit_entries" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "audit_heads" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "subject_identifiers" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "subject_keys" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "subjects" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "api_keys" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "tenants" AS PERMISSIVE FOR ALL TO "lawful_app" USING (id = current_setting('lawful.tenant_id', true));