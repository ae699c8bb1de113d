"""Scoring: delivery, content and voice, by a versioned rubric."""
