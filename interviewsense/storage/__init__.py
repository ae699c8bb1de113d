"""Where sessions live: local folders, and copies synced elsewhere."""
