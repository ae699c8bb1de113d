"""score(): one answer in, a ``Score`` and its feedback out. Deterministic and versioned.

Same transcript, audio and rubric give the same numbers, every time: nothing here is random
and every list is sorted by time or by a fixed order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from interviewsense.audio.vad import Region
from interviewsense.domain import (
    Answer,
    AudioInfo,
    Component,
    Content,
    Delivery,
    Mark,
    Question,
    Score,
    Transcript,
)
from interviewsense.scoring.content import score_content
from interviewsense.scoring.delivery import (
    FILLER_SOUNDS,
    score_delivery,
    without_asides,
    without_fillers,
)
from interviewsense.scoring.feedback import feedback
from interviewsense.scoring.rubric import Rubric, load_rubric
from interviewsense.scoring.substance import (
    BLAME_WHY,
    DOUBT_WHY,
    LEAVING_WHY,
    UNCHECKED,
    off_topic,
    thin,
)
from interviewsense.scoring.text import clip, plural, sentences, tokens
from interviewsense.scoring.voice import score_voice

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np
    import numpy.typing as npt

    from interviewsense.config import Settings
    from interviewsense.scoring.coach import CoachModel
    from interviewsense.scoring.judge import Verdict
    from interviewsense.scoring.semantic import Embedder

    Judge = Callable[[str, str, str], Verdict]  # (question, type, transcript) -> verdict

DELIVERY_POINTS = (
    "pace_points",
    "filler_points",
    "pause_points",
    "hedge_points",
    "repetition_points",
)
# A voiced stretch of filler length, barely touched by any transcribed word, is most likely
# a filler the recogniser left out ("um", "uh"). A filler is a held sound: shorter stretches
# were mostly short words the recogniser skipped ("who").
RECOVER_MIN_S = 0.25
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
        if length < RECOVER_MIN_S or length > RECOVER_MAX_S:
            continue
        covered = sum(max(0.0, min(end, e) - max(start, s)) for s, e in spans)
        if covered / length <= RECOVER_MAX_COVERED:
            out.append(Mark(w="(unclear sound)", start=round(start, 2), end=round(end, 2)))
    return out


class Gaps(NamedTuple):
    caps: list[Component]  # the gaps that cap the overall score: points = the cap
    lifted: list[Component]  # caps that did not apply, and why (points = the cap it would be)


def critical_gaps(q: Question, content: Content, delivery: Delivery, rubric: Rubric) -> Gaps:
    """The gaps that cap the overall score, each with its cap (``points``) and reason, and
    the caps a gap would have set that did not apply."""
    cap = rubric.caps()
    out: list[Component] = []
    lifted: list[Component] = []
    main = not q.follow_up
    imp = content.impression
    # The result is found by its words; an answer the coach model and the reader are this sure
    # a coach rates good or strong has told one in words the detector does not know.
    sure_p = rubric.num("content", "no_result_unless_p")
    sure = bool(imp) and imp["p"] >= sure_p
    if main and q.type == "behavioral" and content.word_count:
        if not content.star["result"].found:
            missing = "a behavioral answer needs a result: what changed because of what you did"
            if sure:
                missing = (
                    f"no sentence tells the result in words the detector knows, but answers "
                    f"that read like this one were rated good or strong by coaches "
                    f"({imp['p']:.0%} likely; {sure_p:.0%} lifts this cap)"
                )
            (lifted if sure else out).append(Component("no result", cap["no_result"], 100, missing))
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
    i_count = int(own.get("i_acting", own.get("i")) or 0)
    we_count = int(own.get("we") or 0)
    we_only = we_count >= (1 if q.type == "behavioral" else 3) and i_count < we_count * rubric.num(
        "content", "no_ownership_i_share"
    )
    # A design is told in the first person plural ("we'd put the binaries on a CDN"): there
    # "we" is the designer's voice, not a team the speaker hides in.
    if main and content.word_count and we_only and q.type != "system_design":
        # "'I think' does not count" only where an "I" was not counted (QA: it was said of
        # answers with no "I think" in them).
        uncounted = int(own.get("i") or 0) > i_count
        acting = (
            "never 'I' as the one acting"
            if i_count == 0
            else (f"'I' as the one acting {plural(i_count, 'time')}")
        )
        why = f"the answer says 'we' {plural(we_count, 'time')} and {acting}"
        why += " ('I think' and the like do not count)" if uncounted else ""
        out.append(Component("no ownership", cap["no_ownership"], 100, why))
    # An LLM judge reads what the answer means: its verdict, not the coach model's reading
    # of how it sounds, decides the caps then (off topic, factually wrong, blame).
    weak = bool(imp) and imp["p"] < rubric.num("content", "impression_cap_below")
    if main and weak and content.method != "llm":
        why = (
            f"answers that read like this one were rated below good by coaches: {imp['p']:.0%} "
            f'likely good or strong; it reads weakest at "{clip(imp["weakest"])}"'
        )
        out.append(Component("reads weak", cap["reads_weak"], 100, why))
    rel = content.relevance
    if main and rel.get("cliche_similarity", 0.0) >= rubric.num("content", "cliche_similarity"):
        why = f'a stock line instead of an answer: "{rel["cliche"]}"'
        # A trait named in a stock line's words, then proved, reads as good to the models (a
        # review: "My greatest strength is that I care about the people I work with", then a
        # story with its figure): the line is no longer said instead of an answer.
        proved_p = rubric.num("content", "cliche_unless_p")
        if imp and imp["p"] >= proved_p:
            why = (
                f'a line close to a stock one ("{rel["cliche"]}"), but answers that read like '
                f"this one were rated good or strong by coaches ({imp['p']:.0%} likely; "
                f"{proved_p:.0%} lifts this cap)"
            )
            lifted.append(Component("cliche", cap["cliche"], 100, why))
        else:
            out.append(Component("cliche", cap["cliche"], 100, why))
    judged = rel.get("judge", {}).get("rating")
    if main and content.method == "llm" and judged == 1:
        why = f"the LLM judge: {rel['judge'].get('reason') or 'the answer is about something else'}"
        out.append(Component("off topic", cap["off_topic"], 100, why))
    elif main and "similarity" in rel and content.word_count:
        if off_topic(rel["similarity"], rubric):
            why = f"the answer is about something else (similarity {rel['similarity']:.2f})"
            out.append(Component("off topic", cap["off_topic"], 100, why))
    elif main and rel.get("share") == 0 and len(rel.get("terms", [])) >= 3:
        out.append(
            Component(
                "off topic",
                cap["off_topic"],
                100,
                "the answer uses none of the question's key terms",
            )
        )
    verdict = content.judge if content.method == "llm" else {}
    accuracy = verdict.get("accuracy")
    if main and accuracy is not None and accuracy <= rubric.num("content", "llm_wrong_accuracy"):
        why = f"the LLM judge rates its accuracy {accuracy}/5: {verdict.get('accuracy_reason', '')}"
        out.append(Component("factually wrong", cap["factually_wrong"], 100, why.rstrip(": ")))
    dense = content.substance
    if (
        main
        and dense.get("content_words")
        and (
            dense.get("fraction", 1.0) < rubric.num("content", "substance_cap_below")
            or dense.get("worst", 1.0) <= 0.0
        )
    ):
        out.append(Component("little substance", cap["little_substance"], 100, thin(dense)))
    hedging = dense.get("hedges_per_sentence", 0.0)
    doubts = dense.get("unsure", [])
    if main and hedging >= rubric.num("content", "hedges_high_per_sentence"):
        why = f"{hedging:.1f} hedges a sentence: nothing is stated plainly"
        out.append(Component("hedged", cap["hedged"], 100, why))
    elif main and len(doubts) >= rubric.num("content", "unsure_sentences"):
        why = f'{plural(len(doubts), "sentence")} {DOUBT_WHY}: "{doubts[0]}"'
        out.append(Component("hedged", cap["hedged"], 100, why))
    blamed = dense.get("blame", [])
    judged_blame = (verdict.get("blame") or {}).get("quote", "") if verdict else ""
    if main and (
        len(blamed) >= rubric.num("content", "blame_sentences") or (blamed and dense.get("leaving"))
    ):
        why = f'{BLAME_WHY}: "{blamed[0]}"'
        if len(blamed) < rubric.num("content", "blame_sentences"):
            why += f', {LEAVING_WHY}: "{dense["leaving"][0]}"'
        out.append(Component("blames others", cap["blames_others"], 100, why))
    elif main and judged_blame and (verdict.get("blame") or {}).get("present"):
        why = f'the LLM judge hears blame: "{judged_blame}"'
        out.append(Component("blames others", cap["blames_others"], 100, why))
    claims = dense.get("sweeping", [])
    share = float(dense.get("sweeping_share", 0.0))
    if (
        main
        and content.structure_kind == "reasoning"
        and claims
        and share >= rubric.num("content", "sweeping_share")
    ):
        why = (
            f"{len(claims)} of {dense.get('sentences', len(claims))} sentences make sweeping "
            "claims "
            f'({", ".join(claims[0]["words"])}: "{claims[0]["sentence"]}")'
        )
        # The models cannot tell a right claim from a wrong one, so this cap yields only to a
        # reading far surer than the cliche's (a review: a sound beam check told in a trade's
        # absolutes, 97 % likely good, was held at 59; on the tuned splits no answer the cap
        # held read over 16 %).
        sound_p = rubric.num("content", "sweeping_unless_p")
        if imp and imp["p"] >= sound_p:
            why += (
                f", but answers that read like this one were rated good or strong by coaches "
                f"({imp['p']:.0%} likely; {sound_p:.0%} lifts this cap)"
            )
            lifted.append(Component("sweeping claims", cap["sweeping_claims"], 100, why))
        else:
            out.append(Component("sweeping claims", cap["sweeping_claims"], 100, why))
    lo = rubric.length_band("follow_up" if q.follow_up else q.type)[0]
    if content.word_count < lo / 2:
        why = f"{plural(content.word_count, 'word')}; under {lo / 2:.0f} is too short"
        out.append(Component("too short", cap["too_short"], 100, why))
    rate = delivery.fillers.per_100_words
    if rate is not None and rate >= rubric.num("delivery", "filler_high_per_100"):
        out.append(
            Component(
                "heavy fillers",
                cap["heavy_fillers"],
                100,
                f"{rate:.1f} fillers per 100 words bury the content",  # as its row says it
            )
        )
    return Gaps(out, lifted)


JUDGE_FAILED_NOTE = "the LLM judge gave no verdict ({why}): the deterministic score stands"


def apply_verdict(content: Content, verdict: Verdict, rubric: Rubric) -> None:
    """Blend an LLM judge's verdict into the content score (docs/scoring.md), or record why
    there is none and keep the deterministic score."""
    from interviewsense.scoring.judge import blend, llm_content_score

    content.judge = verdict.to_dict()
    if verdict.reply is None:
        why = verdict.error.split(": ", 1)[-1]  # LLMDown: / LLMInvalid: is for the JSON
        content.judge["note"] = JUDGE_FAILED_NOTE.format(why=why)
        return
    judged = llm_content_score(verdict.reply, rubric.data["content"]["star_weights"])
    content.judge.update(score=judged, deterministic=content.score)
    content.score = blend(content.score, judged)
    content.method = "llm"
    content.relevance["method"] = "llm"
    content.relevance["judge"] = {
        "rating": verdict.reply.relevance,
        "out_of": 5,
        "reason": verdict.reply.relevance_reason,
        "model": verdict.model,
    }


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
    embedder: Embedder | None | Literal["auto"] = "auto",
    judge: Judge | None = None,
    coach: CoachModel | None | Literal["auto"] = "auto",
) -> tuple[Score, list[str]]:
    """Score one answer; ``samples`` (16 kHz) and their VAD ``regions`` enable voice cues.
    ``embedder`` judges relevance by meaning: "auto" finds the installed model, None
    judges by the question's key terms."""
    rubric = rubric or load_rubric()
    if embedder == "auto":
        from interviewsense.scoring.semantic import load_embedder

        embedder = load_embedder()
    if coach == "auto":
        from interviewsense.scoring.coach import load_coach

        coach = load_coach()
    if coach is not None and (embedder is None or embedder.identity != coach.embedding_sha256):
        coach = None  # its weights mean something only in the vectors it learned from
    q = question if isinstance(question, Question) else Question(text=question)
    toks = tokens(transcript)
    said = without_fillers(toks)  # content is judged on what was said, not the "um"s
    core = without_asides(said)  # nor the "Yeah, so" around it (delivery.judged_words)
    if samples is not None and regions is None:
        from interviewsense.audio.vad import speech_regions

        regions = speech_regions(samples)
    # Uncovered stretches stand in for fillers only when the recogniser wrote none: on real
    # speech the prompted Whisper writes them (docs/stt.md), and the stretches it left
    # uncovered were breaths and skipped words.
    wrote_fillers = any(t.norm in FILLER_SOUNDS for t in toks)
    recovered = [] if wrote_fillers else recover_fillers(transcript, regions or [])
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
        padding_words=len(toks) - len(said) + hedge_words,
        spoken_words=len(toks),
        hedge_count=delivery.hedges.count,
        embedder=embedder,
        coach=coach,
    )
    if judge is not None and toks and not q.follow_up:
        apply_verdict(content, judge(q.text, q.type, transcript.text), rubric)
    if toks and not q.follow_up and content.method != "llm":  # a judge never reads follow-ups
        content.unchecked = UNCHECKED
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
    caps, lifted = critical_gaps(q, content, delivery, rubric)
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
        lifted=lifted,
    )
    return score, feedback(score, q, transcript, rubric)


def scorer_options(
    settings: Settings, redact: Callable[[str], str] | None = None
) -> dict[str, Any]:
    """The ``score_answer`` options the settings choose, the same for every flow: the pause
    threshold, relevance by meaning (``embedding_model``) and the LLM judge (``llm_judge``,
    sending text through ``redact``)."""
    from interviewsense.scoring.judge import judge_for
    from interviewsense.scoring.semantic import load_embedder

    return {
        "pause_threshold": settings.pause_threshold_s or None,
        "embedder": load_embedder(settings.embedding_model),
        "judge": judge_for(settings, redact),
        "language": settings.language,  # build_answer's, for its note; not score_answer's
    }


NO_SPEECH_NOTE = "no speech was heard"
# Every content reading (cue words, the embedding model, the coach model and the reader) was
# built on English answers: a review's on-topic German STAR answer scored 49, "off topic".
OTHER_LANGUAGE_NOTE = (
    "content is scored for answers in English: for '{language}' its structure, relevance and "
    "substance readings are not reliable (delivery and voice are)"
)


def other_language(language: str) -> bool:
    """Whether content scores mean little for answers in ``language`` (an ISO code)."""
    return language.split("-")[0].strip().lower() not in ("", "en")


def build_answer(
    transcript: Transcript,
    question: Question,
    options: dict[str, Any],
    *,
    rubric: Rubric | None = None,
    samples: npt.NDArray[np.float32] | None = None,
    regions: list[Region] | None = None,
    audio: AudioInfo | None = None,
    notes: Sequence[str] = (),
) -> Answer:
    """The one way every flow (practice, finalize, batch, serve) turns a transcript, and the
    recording when there is one, into a scored ``Answer``: ``options`` from
    ``scorer_options``, and one note when nothing was said."""
    scoring = dict(options)
    language = str(scoring.pop("language", "en"))
    scores, advice = score_answer(
        transcript, question, rubric=rubric, samples=samples, regions=regions, **scoring
    )
    said = [*notes]
    if not transcript.text.strip():
        said.append(NO_SPEECH_NOTE)
    elif other_language(language):
        said.append(OTHER_LANGUAGE_NOTE.format(language=language))
    if scores.content.judge.get("note"):  # said where the answer is shown, not only in JSON
        said.append(scores.content.judge["note"])
    return Answer(
        question=question.text,
        question_info=question,
        transcript=transcript,
        scores=scores,
        feedback=advice,
        audio=audio,
        notes=said,
    )
