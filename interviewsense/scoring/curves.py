"""Piecewise-linear scoring curves (the one shape every threshold in the rubric uses), and
the score components built from them."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from interviewsense.domain import Component


def piecewise(x: float, points: Sequence[tuple[float, float]]) -> float:
    """Linear interpolation through ``points`` (sorted by x), flat beyond both ends."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in pairwise(points):
        if x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def falling(x: float, good: float, bad: float) -> float:
    """1 up to ``good``, 0 from ``bad``, linear between."""
    return piecewise(x, [(good, 1.0), (bad, 0.0)]) if bad > good else float(x <= good)


def rising(x: float, bad: float, good: float) -> float:
    """0 up to ``bad``, 1 from ``good``, linear between."""
    return piecewise(x, [(bad, 0.0), (good, 1.0)]) if good > bad else float(x >= good)


def scaled(name: str, full: float, fraction: float, why: str) -> Component:
    """A score component worth ``fraction`` of its ``full`` points, rounded as reports show."""
    return Component(name, round(full * fraction, 1), full, why)


def allowance(
    name: str, full: float, count: int, allowed: int, penalty: float, why: str
) -> Component:
    """Full points for up to ``allowed`` of something, ``penalty`` off for each further one."""
    return Component(name, round(max(0.0, full - max(0, count - allowed) * penalty), 1), full, why)
