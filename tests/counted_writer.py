"""``python -m tests.counted_writer COUNTS ARGS…``: ``interviewsense ARGS…`` as a user runs
it, with every block handed to a ``WavWriter`` counted in the file COUNTS.

Before each block reaches the writer, a line ``<wav name> <frames received so far>`` is
appended to COUNTS with a plain ``os.write``: the kernel has it at once, so a SIGKILL a
moment later cannot lose it. The last line for a WAV is then exactly what the writer was
given before the kill (one block more at worst, a block the writer had just been handed),
whatever the audio stack and the scheduler did: a test can hold the WAV on disk to that
count instead of to the wall clock. The writer itself runs unchanged (an observer, not a
stand-in).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def received(counts: Path, wav_name: str) -> int:
    """The frames the writer of ``wav_name`` was handed, by the last line COUNTS holds."""
    frames = 0
    for line in counts.read_text().splitlines():
        name, _, n = line.rpartition(" ")
        if name == wav_name:
            frames = int(n)
    return frames


def main() -> None:
    from interviewsense.audio import recorder

    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    real = recorder.WavWriter.write
    frames: dict[Path, int] = {}

    def write(self: recorder.WavWriter, pcm16: bytes) -> None:
        n = frames[self.path] = frames.get(self.path, 0) + len(pcm16) // (
            self.width * self.channels
        )
        os.write(fd, f"{self.path.name} {n}\n".encode())
        real(self, pcm16)

    recorder.WavWriter.write = write  # type: ignore[method-assign]
    sys.argv = ["interviewsense", *sys.argv[2:]]
    from interviewsense.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
