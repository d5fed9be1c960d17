-- The consent store is append-only: refusals and withdrawals are new records, never edits (check 9).
REVOKE UPDATE, DELETE, TRUNCATE ON consent_records FROM lawful_app;
--> statement-breakpoint
-- A published notice version is what people saw: it can never change or disappear.
CREATE OR REPLACE FUNCTION lawful_freeze_published_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'notice version % is published and immutable', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER notice_versions_frozen BEFORE UPDATE OR DELETE ON notice_versions
  FOR EACH ROW EXECUTE FUNCTION lawful_freeze_published_notice();
