"""What a report shows, computed once for every format: per answer, the transcript split into
marked pieces, the pace over time, the filler timeline and the pitch contour."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewsense.domain import Answer, Component, Score, Session, Turn
from interviewsense.scoring.substance import BLAME_WHY, DOUBT_WHY, LEAVING_WHY, STRONG_QUOTE_FROM


@dataclass
class Piece:
    """A run of the transcript: plain words, or a filler / hedge / repeat, or a long pause."""

    text: str
    kind: str = ""  # "" | filler | hedge | repeat | pause


@dataclass
class AnswerReport:
    index: int
    question: str
    follow_up: bool
    answer: Answer
    pieces: list[Piece]
    pace: list[tuple[float, float]]  # (window start s, wpm)
    fillers: list[tuple[float, str]]  # (time s, filler)
    pitch: list[tuple[float, float]] = field(default_factory=list)  # (time s, Hz)


@dataclass
class SessionReport:
    session: Session
    answers: list[AnswerReport]
    # The questions with no answer, as every report lists them (a review: a session whose
    # questions were all skipped read "No answers yet"): "Question 2, skipped: <question>".
    unanswered: list[str] = field(default_factory=list)


def mean_text(overall: float | None) -> str:
    """A session's mean score as every report shows it: 47, not 47.0; – when none was scored."""
    return "–" if overall is None else f"{overall:g}"


def cap_notes(score: Score) -> list[str]:
    """Each cap on the score, the lowest first: "at most 39: 39 words; under 40 is too
    short". Every report says them, so a headline number under its parts is never left
    unexplained (a cap is a ceiling: the score may be lower still)."""
    return [f"at most {int(c.points)}: {c.why}" for c in sorted(score.caps, key=lambda c: c.points)]


def summed(score: int | None, parts: list[Component]) -> str:
    """How a part's score comes from its rows: "433.2 of 510 points, as 85 of 100". Said
    only when the rows add up to it (a reviewer could not tell how "Content 85" came from
    rows worth 510 points); a score made another way (an LLM judge's blend) is not."""
    total = sum(p.max_points for p in parts)
    if score is None or total <= 0:
        return ""
    got = sum(p.points for p in parts)
    if abs(100 * got / total - score) > 0.6:  # the rows are shown rounded
        return ""
    return f"{got:.1f}".removesuffix(".0") + f" of {total:g} points, as {score} of 100"


# Shown beside a delivery score measured without word times (a typed answer): its pace and
# pauses were not measured, only fillers, hedges and repeats, so 100 is not a verdict on them.
UNTIMED_DELIVERY = "no pace or pauses"
# … or with word times, but too little speech for a pace (scoring/delivery.py PACE_MIN_S).
SHORT_DELIVERY = "too short for a pace"


def delivery_gap(score: Score) -> str:
    """What a delivery score did not measure, as every report says it ("" when nothing)."""
    missing = score.delivery.missing
    if "long_pauses" in missing:
        return UNTIMED_DELIVERY
    return SHORT_DELIVERY if "wpm" in missing else ""


def sub_scores(score: Score) -> list[tuple[str, str]]:
    """The three sub-scores as every format shows them: [("content", "85"), ("delivery",
    "100 (no pace or pauses)"), ("voice", "–")]; "–" for one not measured at all."""
    d = score.delivery
    delivery = "–" if d.score is None else str(d.score)
    if d.score is not None and delivery_gap(score):
        delivery += f" ({delivery_gap(score)})"
    voice = "–" if score.voice.score is None else str(score.voice.score)
    return [("content", str(score.content.score)), ("delivery", delivery), ("voice", voice)]


def content_evidence(score: Score) -> list[tuple[str, str]]:
    """Each content judgement and the words behind it: the sentence that shows each part of
    the structure, the sentence closest to the question, the coach model's verdict and the
    sentences that weigh most in it, the phrase said again and again, and what an LLM judge
    said. Every format shows these rows."""
    c = score.content
    rows: list[tuple[str, str]] = []
    lifted = {cap.name: cap.why for cap in score.lifted}
    for part, found in c.structure.items():
        said = f'"{found.sentence}"' if found.found else "not found"
        if part == "result" and not found.found and "no result" in lifted:
            said = f"not found; its cap does not apply: {lifted['no result']}"
        rows.append((part, said))
    rel = c.relevance
    if rel.get("closest"):
        near = f"closest to {rel.get('compared_with', 'the question')}"
        rows.append((near, f'"{rel["closest"]}" ({rel["similarity"]:.2f})'))
    elif rel.get("terms"):
        rows.append(("question terms used", ", ".join(rel.get("matched", [])) or "none"))
    repeats = c.substance.get("repeated_phrases") or []
    if repeats:
        said = ", ".join(f"'{r['phrase']}' ×{r['count']}" for r in repeats[:3])
        rows.append(("said again", said))
    imp = c.impression
    if imp:
        reads = f", reads as {imp['band']}" if "band" in imp else ""
        read_as = imp.get("reader") or {}
        with_reader = ", with the answer reader below" if read_as.get("used") else ""
        rows.append(("coach model", f"{imp['p']:.0%} likely good or strong{reads} (learned "
                                    f"from {imp['answers']} coach-rated answers"
                                    f"{with_reader})"))  # fmt: skip
        if read_as.get("used"):
            said = (
                f"{read_as['p']:.0%} likely good or strong, reads as {read_as['band']} "
                f"(question and answer read together; {read_as['weight']:.0%} of the rating)"
            )
            rows.append(("answer reader", said))
        elif read_as:
            rows.append(("answer reader", str(read_as.get("note", "not used"))))
        rows.append(("reads most like a weak answer", f'"{imp["weakest"]}"'))
        if imp["strongest"] != imp["weakest"] and imp.get("p", 1.0) >= STRONG_QUOTE_FROM:
            rows.append(("reads most like a strong one", f'"{imp["strongest"]}"'))
    capped = {cap.name: cap.why for cap in score.caps}
    blamed = capped.get("blames others", "")
    for sentence in (c.substance.get("blame") or [])[:2] if blamed.startswith(BLAME_WHY) else []:
        rows.append(("blames others", f'"{sentence}"'))
    for sentence in (c.substance.get("leaving") or [])[:1] if LEAVING_WHY in blamed else []:
        rows.append(("the reason to leave", f'"{sentence}"'))
    doubts = c.substance.get("unsure") or []
    for sentence in doubts[:2] if DOUBT_WHY in capped.get("hedged", "") else []:
        rows.append(("outcome in doubt", f'"{sentence}"'))
    for claim in (c.substance.get("sweeping") or [])[:2] if "sweeping claims" in capped else []:
        rows.append((f"sweeping claim ({', '.join(claim['words'])})", f'"{claim["sentence"]}"'))
    judge = c.judge
    if judge.get("advice"):
        rows.append((f"LLM judge ({judge.get('model', '')})", str(judge["advice"])))
        if "accuracy" in judge:
            why = f"{judge['accuracy']}/5 {judge.get('accuracy_reason', '')}".strip()
            rows.append(("accuracy (LLM judge)", why))
        if (judge.get("blame") or {}).get("present") and judge["blame"].get("quote"):
            rows.append(("blames others (LLM judge)", f'"{judge["blame"]["quote"]}"'))
    elif judge.get("note"):
        rows.append(("LLM judge", str(judge["note"])))
    if c.unchecked:
        rows.append(("not checked", c.unchecked))
    return rows


def _marks(answer: Answer) -> dict[int, tuple[int, str]]:
    """Word index -> (words covered, kind)."""
    d = answer.scores.delivery
    out: dict[int, tuple[int, str]] = {}
    for marks, kind in (
        (d.fillers.items, "filler"),
        (d.hedges.items, "hedge"),
        (d.repetitions, "repeat"),
    ):
        for m in marks:
            if m.index >= 0 and m.index not in out:
                out[m.index] = (len(m.w.split()), kind)
    return out


def pieces(answer: Answer) -> list[Piece]:
    words = answer.transcript.words
    if not words:
        return [Piece(answer.transcript.text)] if answer.transcript.text else []
    marks = _marks(answer)
    pauses = {}
    if answer.transcript.timed:
        for p in answer.scores.delivery.long_pauses:
            before = [i for i, w in enumerate(words) if w.start < p.start]
            if before:
                pauses[before[-1]] = p.duration
    out: list[Piece] = []
    plain: list[str] = []
    i = 0
    while i < len(words):
        if i in marks:
            if plain:
                out.append(Piece(" ".join(plain)))
                plain = []
            n, kind = marks[i]
            out.append(Piece(" ".join(w.w for w in words[i : i + n]), kind))
            end = i + n - 1
            i += n
        else:
            plain.append(words[i].w)
            end = i
            i += 1
        if end in pauses:
            if plain:
                out.append(Piece(" ".join(plain)))
                plain = []
            out.append(Piece(f"{pauses[end]:.1f} s", "pause"))
    if plain:
        out.append(Piece(" ".join(plain)))
    return out


def pitch_contour(wav: Path, *, step: float = 0.05) -> list[tuple[float, float]]:
    """Voiced F0 (Hz) every ``step`` seconds, by Praat through parselmouth."""
    try:
        import parselmouth

        sound = parselmouth.Sound(str(wav))
        pitch = sound.to_pitch(time_step=step, pitch_floor=75.0, pitch_ceiling=500.0)
    except Exception:  # a damaged or missing file: the chart says there is no contour
        return []
    freqs = pitch.selected_array["frequency"]
    return [
        (round(float(t), 3), round(float(f), 1))
        for t, f in zip(pitch.xs(), freqs, strict=True)
        if f > 0
    ]


def answer_report(turn: Turn, folder: Path | None) -> AnswerReport | None:
    answer = turn.answer
    if answer is None:
        return None
    d = answer.scores.delivery
    pace = [(w.start, w.wpm) for w in d.pace_windows if w.wpm is not None]
    fillers = [(m.start, m.w) for m in d.fillers.items if m.start is not None]
    pitch: list[tuple[float, float]] = []
    if folder is not None and answer.audio is not None:
        wav = folder / answer.audio.path
        if wav.is_file():
            pitch = pitch_contour(wav)
    return AnswerReport(
        index=turn.index,
        question=turn.question.text,
        follow_up=turn.question.follow_up,
        answer=answer,
        pieces=pieces(answer),
        pace=pace,
        fillers=fillers,
        pitch=pitch,
    )


# Why a question has no scored answer, as the reports say it (a review: a recording kept
# for finalize read as "not answered").
UNSCORED = {
    "skipped": "skipped",
    "recovered": "recorded, not yet scored ('interviewsense finalize {id}' scores it)",
}


def session_report(session: Session, folder: Path | None) -> SessionReport:
    answers = [r for t in session.turns if (r := answer_report(t, folder)) is not None]
    unanswered = [
        f"{'Follow-up' if t.question.follow_up else 'Question'} {t.index}, "
        f"{UNSCORED.get(t.status, 'not answered').format(id=session.id)}: {t.question.text}"
        for t in session.turns
        if t.answer is None
    ]
    return SessionReport(session=session, answers=answers, unanswered=unanswered)


def series_json(report: SessionReport) -> list[dict[str, Any]]:
    return [
        {"index": a.index, "pace": a.pace, "fillers": a.fillers, "pitch": a.pitch}
        for a in report.answers
    ]
