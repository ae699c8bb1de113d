"""Any audio file -> 16 kHz mono float32 samples, with checks that turn bad files into clear errors.

Decoding uses PyAV (FFmpeg), which faster-whisper already depends on, so WAV of any rate,
width and channel count, MP3, FLAC, OGG/Opus, M4A/AAC and the audio of video files all work.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from interviewsense.audio.recorder import inspect_wav
from interviewsense.domain import AudioInfo
from interviewsense.errors import BadInputError, TooLongError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16_000
MIN_RATE = 8_000  # a telephone's: below it, speech is not there to transcribe
FORMATS_HINT = "use a WAV, MP3, FLAC, OGG or M4A recording"


@dataclass
class LoadedAudio:
    samples: npt.NDArray[np.float32]
    info: AudioInfo
    notes: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def check_readable(path: Path) -> None:
    """Raise a clear error when ``path`` is not a readable, non-empty regular file."""
    shown = os.fsdecode(path)
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise BadInputError(f"no such file: {shown}", hint="check the path and try again") from exc
    except OSError as exc:
        raise BadInputError(f"cannot open {shown}: {exc.strerror}") from exc
    if path.is_dir():
        raise BadInputError(
            f"{shown} is a folder, not an audio file",
            hint="pass one recording, or score a whole folder with: interviewsense batch " + shown,
        )
    if not stat.S_ISREG(st.st_mode):  # /dev/zero, a pipe: endless, or gone once read
        raise BadInputError(
            f"{shown} is not a file but a device or a pipe",
            hint="save the recording to a file first, then pass that file",
        )
    if st.st_size == 0:
        raise BadInputError(f"{shown} is empty (0 bytes)", hint="record the answer again")
    if not os.access(path, os.R_OK):
        raise BadInputError(f"cannot read {shown}: permission denied", hint=f"chmod u+r '{shown}'")


def load_audio(path: Path, *, source: str | None = None, max_s: float | None = None) -> LoadedAudio:
    """Decode ``path`` to 16 kHz mono float32. Raises ``BadInputError`` for unusable files,
    and ``TooLongError`` as soon as more than ``max_s`` seconds have come out (a review: a
    2 MB FLAC of three hours' silence took 1.8 GB and half a minute before it was refused).

    A file that ends early (a truncated recording) gives the audio up to the damage and a
    note, not an error, so a crashed recording can still be scored.
    """
    import av
    import numpy as np

    check_readable(path)
    shown = os.fsdecode(path)
    notes: list[str] = []
    try:
        container = av.open(shown, metadata_errors="ignore")
    except av.error.PermissionError as exc:
        raise BadInputError(f"cannot read {shown}: permission denied") from exc
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        if _looks_like_text(path):
            raise BadInputError(
                f"{shown} is a text file, not an audio recording",
                hint="to score a written answer, give it to interviewsense batch as a transcript",
            ) from exc
        raise BadInputError(
            f"{shown} is not an audio file we can read ({_reason(exc)})", hint=FORMATS_HINT
        ) from exc
    with container:
        if not container.streams.audio:
            kind = "a video with no sound" if container.streams.video else "no audio track"
            raise BadInputError(
                f"{shown} has {kind}", hint="export the recording with its audio track"
            )
        stream = container.streams.audio[0]
        ctx = stream.codec_context
        if ctx is None or not ctx.sample_rate:
            raise BadInputError(
                f"{shown} uses an audio encoding we cannot decode", hint=FORMATS_HINT
            )
        rate = int(ctx.sample_rate)
        if rate < MIN_RATE:  # a review: 1 kHz was "Uh, uh," scored 23, with no word of why
            raise BadInputError(
                f"{shown} is sampled at {rate} Hz, too low to hold speech",
                hint=f"record at {MIN_RATE} Hz or more (16000 Hz is best)",
            )
        channels = int(getattr(ctx, "channels", 0) or len(getattr(ctx.layout, "channels", ())))
        fmt = f"{container.format.name}/{ctx.name}"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        # 16-bit samples in one growing buffer: an hour takes 115 MB, not a list of arrays.
        raw = bytearray()
        limit = None if max_s is None else int(max_s * SAMPLE_RATE) * 2
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    raw += out.to_ndarray().tobytes()
                if limit is not None and len(raw) > limit:
                    assert max_s is not None
                    raise TooLongError(
                        f"{shown} is longer than the {max_s / 60:g}-minute limit",
                        hint="cut it to the answer, or raise INTERVIEWSENSE_MAX_AUDIO_MIN",
                    )
            for out in resampler.resample(None):
                raw += out.to_ndarray().tobytes()
        except OSError as exc:
            if exc.errno == errno.EACCES:
                raise BadInputError(f"cannot read {shown}: permission denied") from exc
            if not isinstance(exc, av.error.FFmpegError):
                raise BadInputError(f"cannot read {shown}: {exc.strerror or exc}") from exc
            _damaged(shown, raw, exc, notes)
        except (av.error.FFmpegError, ValueError, TypeError, AttributeError) as exc:
            _damaged(shown, raw, exc, notes)

    pcm = np.frombuffer(raw, dtype=np.int16)
    if pcm.size == 0:
        raise BadInputError(
            f"{shown} holds no audio samples (only a header)", hint="record the answer again"
        )
    wav = inspect_wav(path)
    if wav is not None and wav.truncated and not notes:
        promised = wav.declared / (wav.rate * wav.block) if wav.rate else 0.0
        notes.append(
            f"the file is cut short: its header promises {promised:.1f} s, "
            f"only {len(pcm) / SAMPLE_RATE:.1f} s are there; scored what is there"
        )
    samples = pcm.astype(np.float32)
    np.multiply(samples, 1.0 / 32768.0, out=samples)
    del pcm, raw
    info = AudioInfo(
        path=source or shown,
        duration_s=round(len(samples) / SAMPLE_RATE, 3),
        sample_rate=rate,
        channels=channels,
        source=source or shown,
        format=fmt,
    )
    return LoadedAudio(samples=samples, info=info, notes=notes)


def _damaged(shown: str, raw: bytearray, exc: BaseException, notes: list[str]) -> None:
    """Decoding stopped: an error if nothing came out, else a note and what there is."""
    if not raw:
        raise BadInputError(
            f"{shown} could not be decoded ({_reason(exc)})", hint=FORMATS_HINT
        ) from exc
    seconds = len(raw) / 2 / SAMPLE_RATE
    notes.append(f"the file is damaged after {seconds:.1f} s; scored up to there")


def _looks_like_text(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
        text = head.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return bool(text) and printable / len(text) > 0.95


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(":")[0].strip().lower() or type(exc).__name__


def write_wav(
    target: Path | BinaryIO, samples: npt.NDArray[np.float32], rate: int = SAMPLE_RATE
) -> None:
    """Write float samples as a 16-bit mono WAV to a path or an open binary file."""
    import wave

    import numpy as np

    dest: str | BinaryIO = os.fsdecode(target) if isinstance(target, Path) else target
    with wave.open(dest, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        step = rate * 60  # a minute at a time: no second full-length copy in memory
        for i in range(0, len(samples), step):
            block = np.clip(samples[i : i + step], -1.0, 1.0) * 32767.0
            wf.writeframes(block.astype("<i2").tobytes())
