"""score(): one answer in, a ``Score`` and its feedback out. Deterministic and versioned.

Same transcript, audio and rubric give the same numbers, every time: nothing here is random
and every list is sorted by time or by a fixed order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewsense.audio.vad import Region
from interviewsense.domain import Component, Content, Delivery, Mark, Question, Score, Transcript
from interviewsense.scoring.content import score_content
from interviewsense.scoring.delivery import score_delivery, without_fillers
from interviewsense.scoring.feedback import feedback
from interviewsense.scoring.rubric import Rubric, load_rubric
from interviewsense.scoring.text import sentences, tokens
from interviewsense.scoring.voice import score_voice

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# A voiced stretch this short, barely touched by any transcribed word, is most likely a
# filler the recogniser left out ("um", "uh").
DELIVERY_POINTS = (
    "pace_points",
    "filler_points",
    "pause_points",
    "hedge_points",
    "repetition_points",
)
RECOVER_MAX_S = 0.8
RECOVER_MAX_COVERED = 0.25


def recover_fillers(transcript: Transcript, regions: list[Region]) -> list[Mark]:
    """Short voiced stretches that no transcribed word covers (see docs/scoring.md)."""
    if not transcript.timed:
        return []
    spans = [(w.start, w.end) for w in transcript.words]
    out: list[Mark] = []
    for start, end in regions:
        length = end - start
        if length <= 0 or length > RECOVER_MAX_S:
            continue
        covered = sum(max(0.0, min(end, e) - max(start, s)) for s, e in spans)
        if covered / length <= RECOVER_MAX_COVERED:
            out.append(Mark(w="(unclear sound)", start=round(start, 2), end=round(end, 2)))
    return out


def critical_gaps(
    q: Question, content: Content, delivery: Delivery, rubric: Rubric
) -> list[Component]:
    """The gaps that cap the overall score, each with its cap (``points``) and reason."""
    cap = rubric.data["caps"]
    out: list[Component] = []
    main = not q.follow_up
    if main and q.type == "behavioral" and content.word_count:
        if not content.star["result"].found:
            out.append(
                Component(
                    "no result",
                    cap["no_result"],
                    100,
                    "a behavioral answer needs a result: what changed because of what you did",
                )
            )
        if not content.specificity.get("numbers"):
            out.append(
                Component(
                    "no numbers",
                    cap["no_numbers"],
                    100,
                    "a strong behavioral answer puts a number on the scale or the result",
                )
            )
        own = content.ownership
        if own.get("i") == 0 and (own.get("we") or 0) > 0:
            out.append(
                Component(
                    "no ownership", cap["no_ownership"], 100, "the answer says 'we' and never 'I'"
                )
            )
    rel = content.relevance
    if main and rel.get("share") == 0 and len(rel.get("terms", [])) >= 3:
        out.append(
            Component(
                "off topic",
                cap["off_topic"],
                100,
                "the answer uses none of the question's key terms",
            )
        )
    lo = rubric.length_band("follow_up" if q.follow_up else q.type)[0]
    if content.word_count < lo / 2:
        why = f"{content.word_count} words; under {lo / 2:.0f} is too short"
        out.append(Component("too short", cap["too_short"], 100, why))
    rate = delivery.fillers.per_100_words
    if rate is not None and rate >= rubric.num("delivery", "filler_high_per_100"):
        out.append(
            Component(
                "heavy fillers",
                cap["heavy_fillers"],
                100,
                f"{rate:.0f} fillers per 100 words bury the content",
            )
        )
    return out


def band_for(overall: int, rubric: Rubric) -> str:
    for name, lower in rubric.bands():
        if overall >= lower:
            return name
    return "needs work"


def score_answer(
    transcript: Transcript,
    question: Question | str,
    *,
    rubric: Rubric | None = None,
    samples: npt.NDArray[np.float32] | None = None,
    regions: list[Region] | None = None,
    pause_threshold: float | None = None,
) -> tuple[Score, list[str]]:
    """Score one answer; ``samples`` (16 kHz) and their VAD ``regions`` enable voice cues."""
    rubric = rubric or load_rubric()
    q = question if isinstance(question, Question) else Question(text=question)
    toks = tokens(transcript)
    core = without_fillers(toks)  # content is judged on what was said, not the "um"s
    if samples is not None and regions is None:
        from interviewsense.audio.vad import speech_regions

        regions = speech_regions(samples)
    recovered = recover_fillers(transcript, regions or [])
    delivery = score_delivery(
        toks,
        rubric,
        regions=regions if samples is not None else None,
        recovered=recovered,
        pause_threshold=pause_threshold,
    )
    hedge_words = sum(len(m.w.split()) for m in delivery.hedges.items)
    content = score_content(
        core,
        sentences(core),
        q.text,
        q.type,
        rubric,
        keywords=q.keywords,
        follow_up_of=q.follow_up_of if q.follow_up else "",
        padding_words=len(toks) - len(core) + hedge_words,
        spoken_words=len(toks),
    )
    voice = score_voice(samples, regions or [], rubric) if toks else score_voice(None, [], rubric)
    if samples is not None and not toks:
        voice.note = "no speech was heard"

    weights = {k: float(v) for k, v in rubric.data["weights"].items()}
    # A sub-score counts in proportion to how much of it could be measured: without word
    # times, delivery has only fillers, hedges and repeats to go on.
    full_delivery = sum(rubric.num("delivery", k) for k in DELIVERY_POINTS)
    measured = sum(p.max_points for p in delivery.breakdown)
    weights["delivery"] *= measured / full_delivery if full_delivery else 0.0
    parts: dict[str, float] = {"content": float(content.score)}
    if delivery.score is not None:
        parts["delivery"] = float(delivery.score)
    if voice.score is not None:
        parts["voice"] = float(voice.score)
    used = {k: weights[k] for k in parts if weights.get(k, 0) > 0}
    total = sum(used.values())
    overall = int(round(sum(parts[k] * w for k, w in used.items()) / total)) if total else 0
    caps = critical_gaps(q, content, delivery, rubric)
    for cap in caps:
        overall = min(overall, int(cap.points))
    if not toks:
        overall = 0
    score = Score(
        overall=overall,
        band=band_for(overall, rubric),
        rubric_version=rubric.version,
        delivery=delivery,
        content=content,
        voice=voice,
        weights={k: round(w / total, 3) for k, w in used.items()} if total else {},
        caps=caps,
    )
    return score, feedback(score, q, transcript)
