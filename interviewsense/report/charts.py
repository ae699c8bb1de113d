"""Charts as inline SVG, drawn with matplotlib (no pyplot state, no files, no network):
the pace over the answer, the filler timeline, and the pitch contour."""

from __future__ import annotations

import io
import re
from typing import Any

PACE_COLOR = "#2563eb"
FILLER_COLOR = "#d97706"
PITCH_COLOR = "#059669"
IDEAL_BAND = "#dbeafe"
SIZE = (6.4, 1.9)


def _figure() -> tuple[Any, Any]:
    import matplotlib

    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "interviewsense",  # the same data draws the same SVG
            "svg.fonttype": "none",
            "font.size": 8,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE)
    return fig, fig.add_subplot()


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return re.sub(r"^.*?(<svg)", r"\1", text, count=1, flags=re.S)  # drop the XML prologue


def scoped(svg: str, prefix: str) -> str:
    """The SVG with each of its ids (and every reference to one) prefixed: inline in one page,
    charts that each define "patch_1" or a glyph are invalid HTML, and a reference may draw
    another chart's shape (a review)."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))

    def rename(m: re.Match[str]) -> str:
        return f"{m.group(1)}{prefix}-{m.group(2)}" if m.group(2) in ids else m.group(0)

    return re.sub(r'(\bid="|url\(#|href="#)([^")]+)', rename, svg)


def _empty(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#6b7280")
    ax.set_xticks([])
    ax.set_yticks([])


def pace_chart(points: list[tuple[float, float]], ideal: tuple[float, float], window: float) -> str:
    fig, ax = _figure()
    ax.axhspan(ideal[0], ideal[1], color=IDEAL_BAND, zorder=0, label="easy to follow")
    if len(points) == 1:  # one window is no line: an axis from -0.04 to 0.04 s (a review)
        _empty(ax, f"one {window:g} s window: too short to show how the pace changed")
    elif points:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        ax.plot(xs, ys, color=PACE_COLOR, marker="o", linewidth=2.5, markersize=5)
        ax.set_ylim(min(60.0, min(ys) - 10), max(230.0, max(ys) + 10))
        ax.set_xlabel("seconds into the answer")
        ax.set_ylabel("words / minute")
    else:
        _empty(ax, "no word times: pace over time is not known")
    return _svg(fig)


def filler_chart(fillers: list[tuple[float, str]], duration: float, count: int = 0) -> str:
    """When each filler came; ``count``: the fillers counted, timed or not (a typed answer's
    have no times, so none would read as "no fillers")."""
    fig, ax = _figure()
    if fillers:
        xs = [f[0] for f in fillers]
        ax.vlines(xs, 0, 1, color=FILLER_COLOR, linewidth=3)
        for x, word in fillers:
            ax.text(x, 1.05, word, rotation=60, fontsize=7, color=FILLER_COLOR, ha="left")
        ax.set_ylim(0, 1.6)
        ax.set_yticks([])
        ax.set_xlim(0, max(duration, max(xs) + 1))
        ax.set_xlabel("seconds into the answer")
    elif count:
        _empty(ax, f"{count} filler{'' if count == 1 else 's'}; no word times, so not when")
    else:
        _empty(ax, "no fillers")
    return _svg(fig)


def pitch_chart(points: list[tuple[float, float]]) -> str:
    fig, ax = _figure()
    if points:
        ax.scatter([p[0] for p in points], [p[1] for p in points], s=6, color=PITCH_COLOR)
        ax.set_xlabel("seconds into the answer")
        ax.set_ylabel("pitch (Hz)")
    else:
        _empty(ax, "no recording: no pitch contour")
    return _svg(fig)
