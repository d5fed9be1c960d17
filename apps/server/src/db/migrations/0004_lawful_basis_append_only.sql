-- The basis history, purpose versions and suppressions are records of what was true: the app role may add and read,
-- never change or remove (checks 1, 9, 15). The owner keeps the right, for tenant offboarding.
REVOKE UPDATE, DELETE, TRUNCATE ON lawful_basis_history FROM lawful_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON purpose_versions FROM lawful_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON suppressions FROM lawful_app;
