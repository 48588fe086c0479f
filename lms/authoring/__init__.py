"""Authoring in the browser: drafts, preview, checks, publishing, history, files in and out."""
