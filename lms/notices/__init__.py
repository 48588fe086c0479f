"""Notices: telling a person something happened (a certificate revoked, due for renewal)."""
