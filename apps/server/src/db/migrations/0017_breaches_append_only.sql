-- Who was told of a breach is evidence (Art. 33(5), 34): the app role may only add to it.
REVOKE UPDATE, DELETE, TRUNCATE ON breach_notifications FROM lawful_app;
