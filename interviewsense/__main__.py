"""Allows ``python -m interviewsense``."""

from interviewsense.entry import main

if __name__ == "__main__":
    main()
