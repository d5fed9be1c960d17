CREATE TABLE "banner_receipts" (
	"tenant_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"site_id" text NOT NULL,
	"site_version" integer NOT NULL,
	"consent_ids" text[] NOT NULL,
	"evidence" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "banner_receipts_tenant_id_idempotency_key_pk" PRIMARY KEY("tenant_id","idempotency_key")
);
--> statement-breakpoint
ALTER TABLE "banner_receipts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "banner_scripts" (
	"tenant_id" text NOT NULL,
	"digest" text NOT NULL,
	"site_id" text NOT NULL,
	"site_version" integer NOT NULL,
	"notice_version_id" text NOT NULL,
	"banner_version" text NOT NULL,
	"integrity" text NOT NULL,
	"bundle_hash" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "banner_scripts_tenant_id_digest_pk" PRIMARY KEY("tenant_id","digest")
);
--> statement-breakpoint
ALTER TABLE "banner_scripts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "banner_site_versions" (
	"tenant_id" text NOT NULL,
	"site_id" text NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"services_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "banner_site_versions_tenant_id_site_id_version_pk" PRIMARY KEY("tenant_id","site_id","version")
);
--> statement-breakpoint
ALTER TABLE "banner_site_versions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "banner_sites" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"current_version" integer NOT NULL,
	"allowed_origins" text[] NOT NULL,
	"publishable_key_id" text NOT NULL,
	"publishable_key_sealed" "bytea",
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "banner_sites_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "banner_sites" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "banner_site_versions_hash_idx" ON "banner_site_versions" USING btree ("tenant_id","site_id","services_hash");--> statement-breakpoint
CREATE INDEX "banner_sites_id_idx" ON "banner_sites" USING btree ("id");--> statement-breakpoint
CREATE INDEX "banner_sites_origins_idx" ON "banner_sites" USING gin ("allowed_origins");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "banner_receipts" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "banner_scripts" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "banner_site_versions" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "banner_sites" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));