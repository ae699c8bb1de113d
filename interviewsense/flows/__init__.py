"""Use cases that wire the stages together: finalize, practice, batch."""
