CREATE INDEX "subject_identifiers_kind_subject_idx" ON "subject_identifiers" USING btree ("tenant_id","kind","subject_id");--> statement-breakpoint
CREATE INDEX "subjects_erased_idx" ON "subjects" USING btree ("tenant_id","id") WHERE erased_at is not null;--> statement-breakpoint
CREATE INDEX "requests_due_idx" ON "requests" USING btree ("tenant_id","due_at","id");--> statement-breakpoint
CREATE INDEX "requests_open_due_id_idx" ON "requests" USING btree ("tenant_id","due_at","id") WHERE closed_at is null;--> statement-breakpoint
CREATE INDEX "requests_state_due_idx" ON "requests" USING btree ("tenant_id","state","due_at","id");