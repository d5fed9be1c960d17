CREATE TABLE "lawful_bases" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"subject_id" text NOT NULL,
	"purpose_key" text NOT NULL,
	"purpose_version" integer NOT NULL,
	"basis" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"notice_version_id" text,
	"source" text NOT NULL,
	"set_by" text NOT NULL,
	"set_at" timestamp with time zone NOT NULL,
	CONSTRAINT "lawful_bases_tenant_id_subject_id_purpose_key_pk" PRIMARY KEY("tenant_id","subject_id","purpose_key")
);
--> statement-breakpoint
ALTER TABLE "lawful_bases" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "lawful_basis_history" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"subject_id" text NOT NULL,
	"purpose_key" text NOT NULL,
	"purpose_version" integer NOT NULL,
	"basis" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"notice_version_id" text,
	"source" text NOT NULL,
	"set_by" text NOT NULL,
	"set_at" timestamp with time zone NOT NULL,
	CONSTRAINT "lawful_basis_history_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "lawful_basis_history" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "objections" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"subject_id" text NOT NULL,
	"purpose_key" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"channel" text NOT NULL,
	"grounds" text,
	"justification" text,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	CONSTRAINT "objections_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "objections" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "restrictions" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"subject_id" text NOT NULL,
	"purpose_key" text,
	"ground" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" text,
	CONSTRAINT "restrictions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "restrictions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "suppressions" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"kind" text NOT NULL,
	"blind_index" text NOT NULL,
	"scope" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "suppressions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "suppressions_lookup_key" UNIQUE("tenant_id","kind","blind_index","scope")
);
--> statement-breakpoint
ALTER TABLE "suppressions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "purpose_versions" (
	"tenant_id" text NOT NULL,
	"purpose_key" text NOT NULL,
	"version" integer NOT NULL,
	"id" text NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "purpose_versions_tenant_id_purpose_key_version_pk" PRIMARY KEY("tenant_id","purpose_key","version"),
	CONSTRAINT "purpose_versions_id_key" UNIQUE("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "purpose_versions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "ropa_controllers" (
	"tenant_id" text NOT NULL,
	"record" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "ropa_controllers_tenant_id_pk" PRIMARY KEY("tenant_id")
);
--> statement-breakpoint
ALTER TABLE "ropa_controllers" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "lawful_basis_history_lookup_idx" ON "lawful_basis_history" USING btree ("tenant_id","subject_id","purpose_key","set_at");--> statement-breakpoint
CREATE INDEX "objections_subject_idx" ON "objections" USING btree ("tenant_id","subject_id","purpose_key");--> statement-breakpoint
CREATE INDEX "restrictions_subject_idx" ON "restrictions" USING btree ("tenant_id","subject_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "lawful_bases" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "lawful_basis_history" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "objections" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "restrictions" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "suppressions" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "purpose_versions" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "ropa_controllers" AS PERMISSIVE FOR ALL TO "lawful_app" USING (tenant_id = current_setting('lawful.tenant_id', true)) WITH CHECK (tenant_id = current_setting('lawful.tenant_id', true));