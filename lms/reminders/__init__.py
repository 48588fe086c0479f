"""Reminders: digests of due and overdue work, by email or kept in an outbox."""
