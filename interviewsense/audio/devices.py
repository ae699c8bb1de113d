"""Microphones and speakers through sounddevice (PortAudio), looked up by name or index."""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from typing import Any

from interviewsense.config import Settings
from interviewsense.errors import BadInputError, MissingDependencyError


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    hostapi: str
    inputs: int
    outputs: int
    default_rate: float
    default_input: bool
    default_output: bool


@dataclass(frozen=True)
class Defaults:
    input_index: int | None
    input_name: str
    output_index: int | None
    output_name: str


_ALSA_HANDLER: Any = None
_ALSA_CHECKED: list[bool] = []


def quiet_alsa() -> None:
    """Stop ALSA's C library printing recoverable errors ("underrun occurred", unknown PCM
    cards …) on stderr, where they would break our one-line-per-event output; under the
    ``debug`` setting they stay."""
    global _ALSA_HANDLER
    if _ALSA_CHECKED:
        return
    _ALSA_CHECKED.append(True)
    from interviewsense.config import load_settings
    from interviewsense.errors import InterviewSenseError

    try:
        if load_settings().debug:
            return
    except InterviewSenseError:
        pass  # a broken config file is reported by the command itself
    try:
        lib = ctypes.util.find_library("asound")
        if lib is None:
            return
        asound = ctypes.CDLL(lib)
        handler_type = ctypes.CFUNCTYPE(
            None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
        )
        _ALSA_HANDLER = handler_type(lambda *args: None)
        asound.snd_lib_error_set_handler(_ALSA_HANDLER)
    except (OSError, AttributeError):
        pass


def _sd() -> Any:
    quiet_alsa()
    try:
        import sounddevice
    except OSError as exc:
        raise MissingDependencyError(
            "PortAudio is not installed, so there is no audio input or output",
            hint="apt-get install libportaudio2 (or your system's PortAudio package)",
        ) from exc
    return sounddevice


def list_devices() -> list[Device]:
    sd = _sd()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except Exception as exc:  # PortAudio reports many kinds of failure
        raise MissingDependencyError(f"cannot list audio devices ({exc})") from exc
    out = []
    for i, d in enumerate(devices):
        out.append(
            Device(
                index=i,
                name=str(d["name"]),
                hostapi=str(apis[d["hostapi"]]["name"]),
                inputs=int(d["max_input_channels"]),
                outputs=int(d["max_output_channels"]),
                default_rate=float(d["default_samplerate"]),
                default_input=i == default_in,
                default_output=i == default_out,
            )
        )
    return out


def _pick(devices: list[Device], wanted: str, kind: str) -> Device | None:
    usable = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
    if wanted:
        if wanted.isdigit():
            hit = [d for d in usable if d.index == int(wanted)]
        else:
            hit = [d for d in usable if d.name == wanted] or [
                d for d in usable if wanted.lower() in d.name.lower()
            ]
        if not hit:
            raise BadInputError(
                f"no {kind} device matches '{wanted}'",
                hint="'interviewsense devices' lists them; pass a name or an index",
            )
        return hit[0]
    # On Linux the sound server's own device starts quickest ("default" can lag by a second).
    for preferred in ("pulse", "pipewire"):
        hit = [d for d in usable if d.name == preferred]
        if hit:
            return hit[0]
    default = [d for d in usable if (d.default_input if kind == "input" else d.default_output)]
    if default:
        return default[0]
    hit = [d for d in usable if d.name == "default"]
    return hit[0] if hit else None


def default_devices(settings: Settings, problems: list[BadInputError] | None = None) -> Defaults:
    """The microphone and speaker the settings pick. A device named that is not there is
    an error, or with ``problems`` (the device list: it is what to choose from) kept there
    and none picked."""
    devices = list_devices()

    def pick(wanted: str, kind: str) -> Device | None:
        try:
            return _pick(devices, wanted, kind)
        except BadInputError as exc:
            if problems is None:
                raise
            problems.append(exc)
            return None

    mic = pick(settings.input_device, "input")
    spk = pick(settings.output_device, "output")
    return Defaults(
        input_index=mic.index if mic else None,
        input_name=mic.name if mic else "",
        output_index=spk.index if spk else None,
        output_name=spk.name if spk else "",
    )
