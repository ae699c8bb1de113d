"""Text to speech: the interviewer's voice."""
