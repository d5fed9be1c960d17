-- The request timeline is append-only: what happened to a request is never edited or removed (Art. 5(2)).
REVOKE UPDATE, DELETE, TRUNCATE ON request_events FROM lawful_app;
