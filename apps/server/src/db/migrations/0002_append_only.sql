-- Append-only stores: the app role may add and read, never change or remove. Only the owner (migrations,
-- retention purges run by the system) can.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM lawful_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM lawful_app;
