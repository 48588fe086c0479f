"""Certificates: earning them, proving them (PDF, verification page, signed credential)."""
