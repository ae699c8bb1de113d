"""A real microphone for tests: a PulseAudio null sink whose monitor is the default source.

Whatever is played into the sink (``play``), the program under test hears through
sounddevice -> PortAudio -> ALSA -> PulseAudio, as on a desktop. A stream of zeros keeps
the sink running, as a real microphone keeps delivering frames in a quiet room.

What the program plays goes to a second null sink, the default one: the speaker, heard
by ``SpeakerTap`` (as if the candidate wore headphones: the microphone does not hear it).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from tests.isolation import clean_environ


class VirtualMic:
    def __init__(self) -> None:
        for tool in ("pulseaudio", "pactl", "paplay", "pacat"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing: run 'make test' (it installs pulseaudio)")
        self.runtime = Path(tempfile.mkdtemp(prefix="vmic-"))
        # What a program needs to hear this microphone; tests.isolation.subprocess_env adds
        # it to an isolated environment.
        self.audio_env = {"XDG_RUNTIME_DIR": str(self.runtime)}
        # PulseAudio and its tools run with nothing from the developer's shell that
        # configures interviewsense (the fixture may be made before isolated_home runs).
        self.env = dict(clean_environ(), **self.audio_env)
        self.env.pop("PULSE_SERVER", None)
        self._server: subprocess.Popen[bytes] | None = None
        self._zeros: subprocess.Popen[bytes] | None = None
        self._players: list[subprocess.Popen[bytes]] = []

    def _pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True)

    def start(self) -> VirtualMic:
        self._server = subprocess.Popen(
            [
                "pulseaudio",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "-n",
                "--load=module-native-protocol-unix",
                "--load=module-null-sink sink_name=vmic rate=16000 channels=1",
                "--load=module-null-sink sink_name=speaker rate=16000 channels=1",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while self._pactl("info").returncode != 0:
            if time.monotonic() > deadline or self._server.poll() is not None:
                raise RuntimeError("PulseAudio did not start")
            time.sleep(0.1)
        self._pactl("set-default-source", "vmic.monitor")
        self._pactl("set-default-sink", "speaker")
        self._zeros = subprocess.Popen(
            [
                "pacat",
                "--device=vmic",
                "--format=s16le",
                "--rate=16000",
                "--channels=1",
                "--latency-msec=50",
                "/dev/zero",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.3)
        return self

    def play(self, wav: Path) -> subprocess.Popen[bytes]:
        """Start "speaking" ``wav`` into the microphone; returns the player process."""
        player = subprocess.Popen(
            ["paplay", "--device=vmic", str(wav)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._players.append(player)
        return player

    def quiet(self) -> None:
        """Stop everything still being played into the microphone."""
        for player in self._players:
            if player.poll() is None:
                player.terminate()
                player.wait()
        self._players.clear()

    def stop(self) -> None:
        self.quiet()
        for proc in (self._zeros, self._server):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(self.runtime, ignore_errors=True)

    def tap(self, sink: str = "speaker") -> SpeakerTap:
        """Start hearing what the program plays (``sink="vmic"``: what the microphone hears)."""
        return SpeakerTap(self, sink)

    def __enter__(self) -> VirtualMic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SpeakerTap:
    """Records a sink (the speaker) in 10 ms blocks, each stamped with ``time.monotonic()``
    when it arrived (a little after it was played: the stamps err late, and two taps err
    alike, so times between them are right)."""

    BLOCK = 160  # samples: 10 ms at 16 kHz

    def __init__(self, mic: VirtualMic, sink: str = "speaker") -> None:
        self.blocks: list[tuple[float, np.ndarray]] = []
        self._proc = subprocess.Popen(
            ["parec", f"--device={sink}.monitor", "--format=s16le", "--rate=16000",
             "--channels=1", "--latency-msec=10"],
            env=mic.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        while True:
            data = self._proc.stdout.read(self.BLOCK * 2)
            if len(data) < self.BLOCK * 2:
                return
            self.blocks.append((time.monotonic(), np.frombuffer(data, dtype="<i2")))

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait()
        self._thread.join(timeout=5)

    def between(self, start: float, end: float) -> np.ndarray:
        """What was played from ``start`` to ``end`` (monotonic), as float samples."""
        parts = [b for t, b in self.blocks if start <= t <= end]
        if not parts:
            return np.zeros(0, dtype=np.float32)
        return (np.concatenate(parts).astype(np.float32) / 32768.0).astype(np.float32)

    def sound(self, start: float = 0.0, floor_db: float = -45.0) -> list[float]:
        """The arrival times of the blocks after ``start`` that carry sound."""
        out = []
        for t, b in self.blocks:
            if t >= start:
                rms = float(np.sqrt(np.mean((b.astype(np.float64) / 32768.0) ** 2))) + 1e-12
                if 20 * np.log10(rms) > floor_db:
                    out.append(t)
        return out
