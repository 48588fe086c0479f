"""Accounts: who someone is, what role they have, signing in and out."""
