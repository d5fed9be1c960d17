-- Data map versions, rectification records and the erasure log are evidence: the app role may only append.
REVOKE UPDATE, DELETE, TRUNCATE ON datamap_versions FROM lawful_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON rectifications FROM lawful_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON erasure_log FROM lawful_app;
