"""The scoring rubric: thresholds and weights from ``rubric.toml``, optionally overridden.

A user file is merged over the built-in one key by key; unknown keys and non-numbers (a cap
may also name a band) are rejected with the key's name, so a typo never silently changes
nothing.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from interviewsense.domain import INTERVIEW_TYPES, InterviewType
from interviewsense.errors import BadInputError


@dataclass(frozen=True)
class Rubric:
    version: str
    data: dict[str, Any]

    def with_content(self, **values: float) -> Rubric:
        """This rubric with some ``[content]`` settings changed (``impression_reader_weight=0``
        for the coach model alone, as the bench and eval compare)."""
        return Rubric(self.version, {**self.data, "content": {**self.data["content"], **values}})

    def num(self, section: str, key: str) -> float:
        return float(self.data[section][key])

    def length_band(self, qtype: InterviewType | Literal["follow_up"]) -> tuple[float, ...]:
        lo, ideal_lo, ideal_hi, hi = self.data["content"]["length"][qtype]
        return float(lo), float(ideal_lo), float(ideal_hi), float(hi)

    def bands(self) -> list[tuple[str, float]]:
        b = self.data["bands"]
        return [("strong", b["strong"]), ("good", b["good"]), ("developing", b["developing"])]

    def caps(self) -> dict[str, int]:
        """Each cap as a score: a number, or a band's name for the top of that band
        ("needs work" is one under `developing`), so the caps follow the bands."""
        # The highest whole score under the bound (39 under 40, 38 under 38.5), never under 0
        # (a review: `developing = 0` made a capped score -1, which no saved answer loads).
        tops = {BANDS_UP[k]: max(0, math.ceil(float(v)) - 1) for k, v in self.data["bands"].items()}
        return {
            name: tops[value] if isinstance(value, str) else int(value)
            for name, value in self.data["caps"].items()
        }


# The band each band's lower bound closes from above: a cap named "needs work" is one point
# under `developing`'s bound.
BANDS_UP = {"developing": "needs work", "good": "developing", "strong": "good"}


@cache
def _builtin_text() -> str:
    return resources.files("interviewsense.scoring").joinpath("rubric.toml").read_text("utf-8")


def _merge(base: dict[str, Any], over: dict[str, Any], where: str) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        path = f"{where}{key}"
        if key not in base:
            raise BadInputError(
                f"rubric: unknown setting '{path}'", hint="see docs/scoring.md for the keys"
            )
        if where == "caps.":
            named = isinstance(value, str) and value in BANDS_UP.values()
            if not named and not (_is_number(value) and value >= 0):
                raise BadInputError(
                    f"rubric: '{path}' must be a number of 0 or more, or a band "
                    f"({', '.join(BANDS_UP.values())})"
                )
            out[key] = value
        elif isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise BadInputError(f"rubric: '{path}' must be a table")
            out[key] = _merge(base[key], value, path + ".")
        elif isinstance(base[key], list):
            ok = isinstance(value, list) and len(value) == len(base[key])
            if not ok or not all(_is_number(v) for v in value):
                raise BadInputError(f"rubric: '{path}' must be {len(base[key])} numbers")
            out[key] = value
        elif isinstance(base[key], str):
            out[key] = str(value)
        else:
            if not _is_number(value) or value < 0:
                raise BadInputError(f"rubric: '{path}' must be a number of 0 or more")
            out[key] = value
    return out


def check_types(data: dict[str, Any]) -> None:
    """The length table names every interview type (and follow-ups), and nothing else."""
    named = set(data["content"]["length"])
    wanted = {*INTERVIEW_TYPES, "follow_up"}
    if named != wanted:
        raise BadInputError(
            f"rubric: [content.length] names {sorted(named)}, not the interview types",
            hint=f"give one row for each of: {', '.join(sorted(wanted))}",
        )


def _is_number(v: Any) -> bool:
    """A finite int or float: TOML's nan and inf would reach the answer's JSON as NaN."""
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def load_rubric(path: str | Path | None = None) -> Rubric:
    """The built-in rubric, or it with the file at ``path`` merged over it."""
    base = tomllib.loads(_builtin_text())
    check_types(base)
    if not path:
        return Rubric(version=str(base["version"]), data=base)
    p = Path(path).expanduser()
    try:
        return _load_over(base, p)
    except BadInputError as exc:  # every rubric error says where to fix it
        exc.hint = exc.hint or (
            f"fix {p}, or leave the rubric setting empty for the built-in one; "
            "docs/scoring.md lists the keys and their defaults"
        )
        raise


def _load_over(base: dict[str, Any], p: Path) -> Rubric:
    try:
        raw = p.read_bytes()
        over = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError as exc:
        raise BadInputError(
            f"no such rubric file: {p}",
            hint="check the path given to --rubric (or INTERVIEWSENSE_RUBRIC)",
        ) from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInputError(f"cannot read rubric {p}: {exc}") from exc
    data = _merge(base, over, "")
    if "version" in over:
        version = str(over["version"])
    else:
        version = f"{base['version']}+custom.{hashlib.sha256(raw).hexdigest()[:8]}"
    check_types(data)
    b = data["bands"]
    if not b["strong"] >= b["good"] >= b["developing"]:
        raise BadInputError("rubric: bands must satisfy strong >= good >= developing")
    if sum(float(v) for v in data["weights"].values()) <= 0:
        raise BadInputError("rubric: the weights must not all be 0")
    return Rubric(version=version, data=data)
