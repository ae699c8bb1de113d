"""Saying a question: synthesised sentence by sentence while it plays, kept as a WAV.

A streaming engine (Piper) hands over each sentence as soon as it is made, in a background
thread, so the first words are heard while the rest is synthesised; any other engine writes
the whole WAV first. Either way the audio is saved at ``path``: the question's TTS artifact,
kept (and synced) with the session.

Barge-in: while a question plays, ``BargeIn`` listens to the microphone; when the candidate
starts speaking, playback stops at once and what they said from that moment is handed on
as the start of the answer.
"""

from __future__ import annotations

import queue
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from interviewsense.fsutil import atomic_open
from interviewsense.tts.base import Chunk, Speaker, StreamingSpeaker, VoiceStyle

if TYPE_CHECKING:
    from interviewsense.audio.capture import Microphone

_END = object()
BARGE_IN_S = 0.09  # this much speech over the question stops it (three 30 ms frames)
BARGE_IN_OVER_FLOOR_DB = 15.0  # a frame is speech this far above the room's noise …
BARGE_IN_MIN_DB = -45.0  # … and above this level


class BargeIn(threading.Thread):
    """Listens while the question plays; on speech sets ``stop`` and keeps the microphone's
    audio from the moment the speech began (``heard``). Energy in 30 ms frames over an
    adaptive noise floor, as the end-of-answer detector, with a shorter run: stopping a
    question must be quick, and a false start only cuts the question short."""

    def __init__(self, mic: Microphone) -> None:
        super().__init__(daemon=True)
        self.mic = mic
        self.stop = threading.Event()
        self.when: float | None = None  # time.monotonic() of the speech start
        self.heard = bytearray()
        self._done = threading.Event()

    def run(self) -> None:
        from interviewsense.audio.endpoint import RATE, WINDOW, frame_levels

        floor = -70.0
        run_s = 0.0
        blocks: list[tuple[float, bytes]] = []  # recent blocks, with when each ended
        while not self._done.is_set():
            block = self.mic.read(timeout=0.02)
            if block is None:
                continue
            now = time.monotonic()
            if self.stop.is_set():
                self.heard.extend(block)
                continue
            blocks = [*blocks[-4:], (now, block)]
            levels = frame_levels(block)
            for i, db in enumerate(levels):
                if db > max(floor + BARGE_IN_OVER_FLOOR_DB, BARGE_IN_MIN_DB):
                    run_s += WINDOW / RATE
                else:
                    run_s = 0.0
                    floor += (0.2 if db < floor else 0.01) * (max(db, -90.0) - floor)
                if run_s >= BARGE_IN_S:
                    frame_end = now - (len(levels) - 1 - i) * WINDOW / RATE
                    self.when = frame_end - run_s
                    self.heard.extend(self._since(blocks, self.when))
                    self.stop.set()
                    break

    @staticmethod
    def _since(blocks: list[tuple[float, bytes]], start: float) -> bytes:
        """The audio of ``blocks`` from ``start`` on (each block ended at its time)."""
        out = bytearray()
        for ended, block in blocks:
            began = ended - len(block) / 2 / 16_000
            if ended <= start:
                continue
            skip = max(0, int((start - began) * 16_000)) * 2
            out.extend(block[skip:])
        return bytes(out)

    def finish(self) -> None:
        self._done.set()
        self.join()


@dataclass
class Said:
    """What happened when a text was said (times are ``time.monotonic()``)."""

    started: float | None = None  # the first sound went out (None: nothing was played)
    ended: float = 0.0
    seconds: float = 0.0  # the length of the audio saved at the path
    rate: int = 0
    interrupted: float | None = None  # when the candidate's voice stopped it (barge-in)
    heard: bytes = b""  # the microphone from the moment the candidate started speaking


class Prefetch:
    """Runs a chunk iterator in a background thread, so the next sentence is synthesised
    while this one plays; ``stop`` makes it quit after the sentence in hand."""

    def __init__(self, chunks: Iterator[Chunk]) -> None:
        self.stop = threading.Event()
        self.made: list[Chunk] = []
        self._queue: queue.Queue[object] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(chunks,), daemon=True)
        self._thread.start()

    def _run(self, chunks: Iterator[Chunk]) -> None:
        try:
            for chunk in chunks:
                self.made.append(chunk)
                self._queue.put(chunk)
                if self.stop.is_set():
                    break
        except BaseException as exc:  # handed to the consumer, raised there
            self._error = exc
        finally:
            self._queue.put(_END)

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            item = self._queue.get()
            if item is _END:
                if self._error is not None:
                    raise self._error
                return
            assert isinstance(item, Chunk)
            yield item

    def close(self) -> None:
        self.stop.set()
        self._thread.join()
        if self._error is not None:
            raise self._error


def read_chunk(path: Path) -> Chunk:
    import numpy as np

    with wave.open(str(path), "rb") as wf:
        rate, channels = wf.getframerate(), wf.getnchannels()
        data = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return Chunk(data, rate)


def write_chunks(path: Path, chunks: list[Chunk]) -> tuple[float, int]:
    """The chunks as one WAV at ``path``; returns its length in seconds and its rate."""
    import numpy as np

    rate = chunks[0].rate if chunks else 22050
    samples = np.concatenate([c.samples for c in chunks]) if chunks else np.zeros(0, np.int16)
    with atomic_open(path) as fh:
        with wave.open(fh, "wb") as wf:
            wf.setnchannels(1)
            wf.setsampwidth(2)
            wf.setframerate(rate)
            wf.writeframes(samples.astype("<i2").tobytes())
    return len(samples) / rate, rate


def say(
    speaker: Speaker,
    text: str,
    style: VoiceStyle,
    path: Path,
    *,
    output: int | str | None,
    play: bool = True,
    barge_in: Microphone | None = None,
) -> Said:
    """Say ``text`` on ``output`` (not played when ``play`` is false: only saved), the
    audio kept at ``path``. With ``barge_in`` (an open, unmuted microphone), speech on it
    stops the playback; ``Said.heard`` is then the answer so far, and the microphone's
    queue holds the rest."""
    from interviewsense.audio.playback import play_chunks

    said = Said()
    watch = BargeIn(barge_in) if barge_in is not None and play else None
    if watch is not None:
        watch.start()
    stop = watch.stop if watch is not None else None
    try:
        if isinstance(speaker, StreamingSpeaker):
            prefetch = Prefetch(speaker.stream(text, style))
            try:
                if play:
                    said.started, _, _ = play_chunks(prefetch, output, stop=stop)
                else:
                    for _ in prefetch:
                        pass
            finally:
                prefetch.close()
                said.seconds, said.rate = write_chunks(path, prefetch.made)
        else:
            said.seconds = speaker.synthesize(text, path, style)
            if said.seconds > 0:
                chunk = read_chunk(path)
                said.rate = chunk.rate  # also when only saved (QA: sample_rate 0)
                if play:
                    said.started, _, _ = play_chunks([chunk], output, stop=stop)
    finally:
        said.ended = time.monotonic()
        if watch is not None:
            watch.finish()
            if watch.when is not None:
                said.interrupted, said.heard = watch.when, bytes(watch.heard)
    return said
