"""Replay the live Whisper path (stt/whisper_live.py) on a real recording, with the timing of
a loaded machine simulated from a seed: the same seed gives the same passes, so a bad run
can be looked at again, and a change compared on the same schedules.

    PYTHONPATH=$PWD .venv/bin/python scripts/live_harness.py acoustic_corpus --seeds 0-9

The audio arrives in 0.1 s blocks. A pass starts when the last one is done and a second has
passed since it started (or at once on a pause hint, as practice does); it decodes what had
arrived when it started, and its result counts from when it would have finished. That time
is modelled, not measured (tiny.en on one thread, ``--calibrate`` prints the real ones),
times a load factor drawn from the seed (1 to 3: other work on two cores). A random lead-in
of silence (0.2 to 2 s) moves every window. The answer ends a second after the endpoint
(VAD, no turn model) decides, and ``finish`` runs as practice calls it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BLOCK = 1600  # samples: 0.1 s
CALIBRATE = False
VERBOSE = False
# Modelled pass time: BASE + PER_S x window, times a load factor from 1 to LOAD.
COST = (0.15, 0.03, 3.0)


def replay(transcriber: Any, pcm: bytes, seed: int) -> tuple[Any, float]:
    """The transcript ``finish`` returns for one simulated run, and where speech ended."""
    from interviewsense.audio.endpoint import PAUSE_HINT_S, EndOfAnswer
    from interviewsense.stt.whisper_live import WhisperLiveSession

    rng = random.Random(seed)
    session = WhisperLiveSession(transcriber)
    endpoint = EndOfAnswer(silence_s=None, max_s=180.0, model=None)
    pending: tuple[float, Any] | None = None  # (finishes at, the pass's result)
    again = False
    last_start = -10.0
    hinted = None
    decided = None
    t = 0.0
    for i in range(0, len(pcm), BLOCK * 2):
        chunk = pcm[i : i + BLOCK * 2]
        t += len(chunk) / 2 / 16_000
        session._pcm += chunk
        if pending is not None and pending[0] <= t:
            session._apply(pending[1])
            pending = None
        state = endpoint.feed(chunk, session._tail, session._heard_s)
        pause = state.last_speech
        hint = False
        if state.heard_speech and pause is not None and pause != hinted:
            if state.t - pause >= PAUSE_HINT_S:
                hinted, hint = pause, True
        if hint and pending is not None:
            again = True
        start = pending is None and (t - last_start >= 1.0 or hint or again)
        if start:
            again = False
            last_start = t
            began = time.perf_counter()
            result = session._hear()
            spent = time.perf_counter() - began
            window = 0.0 if result is None else result[1]
            if CALIBRATE:
                print(f"  window {window:.1f} s: {spent:.2f} s", file=sys.stderr)
            if VERBOSE and result is not None:
                print(f"  pass at {t:.1f} s from {result[0]:.2f} s ({window:.1f} s):")
                for text, words in result[2]:
                    kept = "KEEP" if (text, words) in result[3] else "    "
                    at = result[0]
                    span = f"{words[0].start + at:.2f}-{words[-1].end + at:.2f}" if words else "-"
                    print(f"    {kept} [{span}] {text}")
            # The compute time is modelled, not measured, so a seed replays the same run:
            # tiny.en on one thread here, about 0.15 s + 0.03 s per second of window.
            base, per_s, load = COST
            took = (base + per_s * window) * rng.uniform(1.0, load)
            if result is not None:
                pending = (t + took, result)
        if state.ended == "silence" and decided is None:
            decided = t
        if decided is not None and t - decided >= 1.0:
            break
    speech_end = endpoint.state.last_speech
    # finish(): a finished pass that heard it all, else the one running, else decode again
    done = session._take_latest(speech_end)
    if not done and pending is not None:
        session._apply(pending[1])
        done = session._take_latest(speech_end)
    if not done:
        session._closed = True
        session._decode(final=True)
    return session.finish(speech_end), speech_end or 0.0


def take(live: Any, rec: Any, seed: int) -> tuple[Any, Any]:
    """One simulated run of a recording (tests/speech.py ``Recording``): its transcript, and
    the 16 kHz audio played (a seeded lead-in of silence, the recording, 4 s of silence)."""
    from tests import speech

    samples, rate = speech.read_wav(rec.path)
    lead = random.Random(1000 + seed).uniform(0.2, 2.0)
    audio = speech.concat([speech.silence(lead, rate), samples, speech.silence(4.0, rate)])
    audio16 = speech.resample(audio, rate, 16_000)
    pcm = (audio16.clip(-1, 1) * 32767).astype("<i2").tobytes()
    return replay(live, pcm, seed)[0], audio16


def main() -> None:
    global CALIBRATE, VERBOSE, COST
    from interviewsense.audio.vad import speech_regions
    from interviewsense.config import load_settings
    from interviewsense.progress import Quiet
    from interviewsense.stt.sanity import transcript_problems
    from interviewsense.stt.whisper_live import build_live
    from tests import speech

    parser = argparse.ArgumentParser()
    parser.add_argument("recordings", nargs="+")
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--calibrate", action="store_true", help="print each pass's time")
    parser.add_argument("--verbose", action="store_true", help="print each pass's segments")
    parser.add_argument(
        "--cost",
        default=",".join(str(x) for x in COST),
        help="a pass's modelled time: base s, s per s of window, load factor up to",
    )
    args = parser.parse_args()
    base, per_s, load = (float(x) for x in args.cost.split(","))
    COST = (base, per_s, load)
    CALIBRATE, VERBOSE = args.calibrate, args.verbose
    lo, _, hi = args.seeds.partition("-")
    seeds = range(int(lo), int(hi or lo) + 1)
    live = build_live(load_settings(), Quiet())._t
    known = {r.name: r for r in speech.real_recordings()}
    for name in args.recordings:
        # NAME or NAME=WAV: the reference of NAME, the audio of WAV (a session's recording)
        name, _, wav = name.partition("=")
        rec = known[name]
        if wav:
            import dataclasses

            rec = dataclasses.replace(rec, path=Path(wav))
        for seed in seeds:
            transcript, audio16 = take(live, rec, seed)
            regions = speech_regions(audio16.astype("float32"))
            problems = transcript_problems(transcript, regions)
            words = speech.normalize_words(transcript.text)
            ums = sum(1 for w in words if w in ("um", "uh"))
            wer = speech.wer(rec.text, transcript.text)
            print(
                f"{name} seed {seed}: WER {wer:.3f} um/uh {ums - rec.fillers:+d}"
                f"{' CHECK FAILS: ' + '; '.join(problems) if problems else ''}\n"
                f"    {transcript.text}",
                flush=True,
            )


if __name__ == "__main__":
    main()
