"""Rendering scored answers and sessions for people: terminal, Markdown, HTML."""
