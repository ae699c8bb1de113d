"""Allows ``python -m interviewsense``."""

from interviewsense.cli import main

if __name__ == "__main__":
    main()
