CREATE TABLE "datamap_connections" (
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"engine" text NOT NULL,
	"url_sealed" "bytea" NOT NULL,
	"schema" text,
	"max_connections" integer,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "datamap_connections_tenant_id_name_pk" PRIMARY KEY("tenant_id","name")
);
--> statement-breakpoint
ALTER TABLE "datamap_connections" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "datamap_versions" (
	"tenant_id" text NOT NULL,
	"version" integer NOT NULL,
	"id" text NOT NULL,
	"document" jsonb NOT NULL,
	"sha256" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "datamap_versions_tenant_id_version_pk" PRIMARY KEY("tenant_id","version")
);
--> statement-breakpoint
ALTER TABLE "datamap_versions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "erasure_log" (
	"tenant_id" text NOT NULL,
	"subject_id" text NOT NULL,
	"request_id" text,
	"key_destroyed" text NOT NULL,
	"erased_at" timestamp with time zone NOT NULL,
	CONSTRAINT "erasure_log_tenant_id_subject_id_pk" PRIMARY KEY("tenant_id","subject_id")
);
--> statement-breakpoint
ALTER TABLE "erasure_log" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "export_packages" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"request_id" text NOT NULL,
	"subject_id" text,
	"kind" text NOT NULL,
	"state" text NOT NULL,
	"file_name" text NOT NULL,
	"key_sealed" "bytea",
	"sealed_under" text NOT NULL,
	"bytes" integer,
	"summary" jsonb,
	"token_hash" text,
	"expires_at" timestamp with time zone NOT NULL,
	"downloads" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"purged_at" timestamp with time zone,
	CONSTRAINT "export_packages_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "export_packages_request_kind_key" UNIQUE("tenant_id","request_id","kind")
);
--> statement-breakpoint
ALTER TABLE "export_packages" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "rectifications" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"request_id" text NOT NULL,
	"subject_id" text,
	"system" text NOT NULL,
	"collection" text NOT NULL,
	"column" text NOT NULL,
	"values_sealed" "bytea" NOT NULL,
	"sealed_under" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rectifications_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "rectifications" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "export_packages_token_idx" ON "export_packages" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "export_packages_expiry_idx" ON "export_packages" USING btree ("state","expires_at");--> statement-breakpoint
CREATE INDEX "rectifications_request_idx" ON "rectifications" USING btree ("tenant_id","request_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "datamap_connections" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "datamap_versions" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "erasure_log" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "export_packages" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "rectifications" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));