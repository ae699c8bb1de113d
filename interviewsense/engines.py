"""Engine registries: each speech engine (text to speech, live and final speech to text) is
one entry, with a name, a factory imported only when the engine is built, an availability
check that says why not, and what it can do (streaming, languages, voices).

``tts/registry.py`` and ``stt/registry.py`` hold the entries; the setup flow, ``doctor`` and
``models`` read them, so a new engine is one module plus one ``register`` line
(docs/tts.md shows one).
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from interviewsense.errors import BadInputError, MissingDependencyError

if TYPE_CHECKING:
    from interviewsense.config import Settings
    from interviewsense.progress import Reporter

E = TypeVar("E")
AUTO = "auto"


@dataclass(frozen=True)
class Voice:
    """A voice an engine can speak with: its name (what ``--voice`` takes), language (ISO
    code, or "" for any) and where it was found."""

    name: str
    language: str
    origin: str
    path: str = ""


def _no_voices(settings: Settings) -> list[Voice]:
    return []


def _always(settings: Settings) -> str:
    return ""


@dataclass(frozen=True)
class EngineInfo(Generic[E]):
    """One engine. ``factory`` is "module:function", called with (settings, reporter) and
    imported only then; ``unavailable`` returns "" when the engine can be built here, else
    why not (cheap: no model is loaded). ``languages`` empty means any language."""

    name: str
    factory: str
    summary: str
    unavailable: Callable[[Settings], str] = _always
    hint: str | Callable[[Settings], str] = ""  # what to do when unavailable (may depend on
    # the settings: the model they name)
    streaming: bool = False
    languages: tuple[str, ...] = ()
    voices: Callable[[Settings], list[Voice]] = _no_voices
    auto: bool = True  # a candidate when the setting is "auto"

    def hint_for(self, settings: Settings) -> str:
        return self.hint(settings) if callable(self.hint) else self.hint

    def speaks(self, settings: Settings) -> bool:
        """Whether it has a voice (or a model) for the answers' language."""
        lang = settings.language.split("-")[0].lower()
        voices = self.voices(settings)
        if voices:
            return any(v.language in ("", lang) for v in voices)
        return not self.languages or lang in self.languages

    def build(self, settings: Settings, reporter: Reporter) -> E:
        module, _, attr = self.factory.partition(":")
        make: Callable[[Settings, Reporter], E] = getattr(importlib.import_module(module), attr)
        return make(settings, reporter)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "streaming": self.streaming,
            "languages": list(self.languages) or ["any"],
        }


class Registry(Generic[E]):
    """The engines of one kind, in the order ``auto`` tries them."""

    def __init__(self, kind: str, setting: str) -> None:
        self.kind = kind  # "text to speech", "live transcript", …
        self.setting = setting  # the Settings field that names the engine
        self._entries: dict[str, EngineInfo[E]] = {}

    def register(self, info: EngineInfo[E], *, first: bool = False) -> EngineInfo[E]:
        if info.name == AUTO:
            raise ValueError(f"'{AUTO}' is not an engine name")
        entries = dict(self._entries)
        entries.pop(info.name, None)
        self._entries = {info.name: info, **entries} if first else {**entries, info.name: info}
        return info

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def __iter__(self) -> Iterator[EngineInfo[E]]:
        return iter(list(self._entries.values()))

    def names(self) -> list[str]:
        return list(self._entries)

    def get(self, name: str) -> EngineInfo[E]:
        if name not in self._entries:
            from interviewsense.config import SETTING

            declared = SETTING.get(self.setting)
            flag = declared.flags[0] if declared and declared.flags else self.setting
            raise BadInputError(
                f"unknown {self.kind} engine {name!r} ({flag})",
                hint=f"use one of: {', '.join([AUTO, *self._entries])}",
            )
        return self._entries[name]

    def passed_over(self, settings: Settings, chosen: EngineInfo[E]) -> list[EngineInfo[E]]:
        """With the setting ``auto``: the candidates tried before ``chosen``, so each is
        unavailable here or has no voice for the language. None when an engine is named."""
        if str(getattr(settings, self.setting)) != AUTO:
            return []
        ahead = itertools.takewhile(lambda info: info is not chosen, self)
        return [info for info in ahead if info.auto]

    def choose(self, settings: Settings, wanted: str | None = None) -> EngineInfo[E]:
        """The engine ``wanted`` (default: the setting) names, or with ``auto`` the first
        that is available and speaks the language. A named engine that is unavailable, or
        none at all for ``auto``, is a ``MissingDependencyError`` saying why."""
        wanted = wanted if wanted is not None else str(getattr(settings, self.setting))
        if wanted != AUTO:
            info = self.get(wanted)
            why = info.unavailable(settings)
            if why:
                raise MissingDependencyError(
                    f"{self.kind} engine {info.name} is not available: {why}",
                    hint=info.hint_for(settings),
                )
            return info
        reasons = []
        for info in self:
            if not info.auto:
                continue
            why = info.unavailable(settings)
            if not why and not info.speaks(settings):
                why = f"no voice for language '{settings.language}'"
            if not why:
                return info
            reasons.append(f"{info.name}: {why}")
        raise MissingDependencyError(
            f"no {self.kind} engine is available ({'; '.join(reasons) or 'none registered'})",
            hint=next((h for i in self if (h := i.hint_for(settings))), ""),
        )
