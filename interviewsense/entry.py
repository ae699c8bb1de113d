"""The console entry point, kept light so that a Ctrl-C while the CLI is still being imported
(its first ~50 ms) ends as any other stop does: "interrupted" and exit 130, not a traceback."""

from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        from interviewsense.cli import main as run
    except KeyboardInterrupt:
        from interviewsense.errors import ExitCode

        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
        os._exit(int(ExitCode.INTERRUPTED))  # nothing was started, so nothing to save
    run()
