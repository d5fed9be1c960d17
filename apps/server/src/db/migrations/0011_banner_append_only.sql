-- Site versions, served script bodies and banner receipts are history: a record refers to them (checks 9, 31).
REVOKE UPDATE, DELETE, TRUNCATE ON banner_site_versions FROM lawful_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON banner_scripts FROM lawful_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON banner_receipts FROM lawful_app;
