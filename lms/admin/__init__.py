"""The admins' area: people, password resets and the audit log."""
