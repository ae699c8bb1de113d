"""An LLM judge for content, beside the deterministic scorer, when an LLM is configured.

The judge reads the question and the transcript and answers a fixed rubric: each STAR part
present or not with a quote, relevance, specificity and accuracy on 1-5 with a reason,
whether the answer blames others (with the quote), and one sentence of advice. The reply
is validated with pydantic and every quote must be in the transcript, or the reply is
refused. ``blend()`` combines it with the deterministic content score as docs/scoring.md
describes; on an outage the deterministic score stands and the answer says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field

from interviewsense.interviewer.llm_client import LLMReply, quoted_in

if TYPE_CHECKING:
    from collections.abc import Callable

    from interviewsense.config import Settings
    from interviewsense.interviewer.llm_client import ChatClient

PARTS = ("situation", "task", "action", "result")
LLM_SHARE = 0.5  # the judge's share of the content score; the rest is deterministic
EARLIER = "earlier in this session"  # an outage is waited for once: later answers say this
RUBRIC = (
    "Judge the answer as a strict, fair interview coach.\n"
    "For each STAR part (situation, task, action, result), say whether the answer has it and "
    "quote the words that show it, copied exactly from the answer (empty when absent).\n"
    "relevance 1-5: 5 answers the question fully; 3 answers part of it; 1 is about something "
    "else.\nspecificity 1-5: 5 concrete and correct details (numbers, names, decisions); 1 "
    "vague, generic or factually wrong.\naccuracy 1-5: 5 every technical or factual claim is "
    "correct, or there is none to check; 3 a claim is doubtful; 1 confidently wrong.\n"
    "blame: whether the answer puts the fault on a former employer, manager or colleague, "
    "with the words that do it, copied exactly (empty when it does not).\n"
    "advice: one sentence, the single most useful fix."
)
# The parts of a reply that quote the candidate: every quote must be in the transcript.
QUOTED = (*PARTS, "blame")


class PartReply(LLMReply):
    present: bool
    quote: str = Field(default="", max_length=400)


class JudgeReply(LLMReply):
    situation: PartReply
    task: PartReply
    action: PartReply
    result: PartReply
    relevance: int = Field(ge=1, le=5)
    relevance_reason: str = Field(default="", max_length=300)
    specificity: int = Field(ge=1, le=5)
    specificity_reason: str = Field(default="", max_length=300)
    accuracy: int = Field(ge=1, le=5)
    accuracy_reason: str = Field(default="", max_length=300)
    blame: PartReply
    advice: str = Field(min_length=5, max_length=300)


def check_quotes(reply: JudgeReply, transcript: str) -> None:
    """Refuse a reply that quotes words the candidate did not say."""
    for part in QUOTED:
        p: PartReply = getattr(reply, part)
        if p.quote.strip() and not quoted_in(p.quote, transcript):
            raise ValueError(f"the {part} quote is not in the transcript: {p.quote[:60]!r}")


@dataclass
class Verdict:
    """What the judge said, or why there is no verdict (``error``)."""

    model: str
    reply: JudgeReply | None = None
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        if self.reply is None:
            return {"model": self.model, "error": self.error}
        return {"model": self.model, **self.reply.model_dump()}


class LLMJudge:
    """Judges each answer; after the server fails once it stops asking, so an outage costs
    one time-out per session, not one per answer (as the interviewer does)."""

    def __init__(self, client: ChatClient, redact: Callable[[str], str] | None = None) -> None:
        self.client = client
        self.redact = redact or (lambda text: text)
        self.down = ""

    @property
    def model(self) -> str:
        return self.client.model

    def __call__(self, question: str, qtype: str, transcript: str) -> Verdict:
        from interviewsense.interviewer.llm_client import LLMDown, LLMInvalid

        if self.down:
            return Verdict(self.model, error=f"LLMDown: {self.down} ({EARLIER})")
        said = self.redact(transcript)  # the judge sees, and may quote, only what is sent
        user = (
            f"{RUBRIC}\n\nQuestion type: {qtype.replace('_', ' ')}\nQuestion: {question}\n"
            f"Answer: {said}\n\nReply as JSON with the keys situation, task, action, "
            "result (each {present, quote}), relevance, relevance_reason, specificity, "
            "specificity_reason, accuracy, accuracy_reason, blame ({present, quote}), advice."
        )
        messages = [
            {"role": "system", "content": "You are an interview coach. Reply with JSON only."},
            {"role": "user", "content": user},
        ]
        try:
            reply = self.client.ask(messages, JudgeReply, check=lambda r: check_quotes(r, said))
        except LLMDown as exc:
            self.down = str(exc)
            return Verdict(self.model, error=f"LLMDown: {exc}")
        except LLMInvalid as exc:
            return Verdict(self.model, error=f"LLMInvalid: {exc}")
        return Verdict(self.model, reply=reply)


def llm_content_score(reply: JudgeReply, star_weights: list[float]) -> int:
    """The judge's content score: STAR parts (weighted as the rubric weighs them), relevance,
    specificity and accuracy, a quarter each."""
    star = sum(
        w for part, w in zip(PARTS, star_weights, strict=True) if getattr(reply, part).present
    ) / (sum(star_weights) or 1.0)
    ratings = [(r - 1) / 4 for r in (reply.relevance, reply.specificity, reply.accuracy)]
    return int(round(100 * (star + sum(ratings)) / 4))


def blend(deterministic: int, judged: int) -> int:
    return int(round((1 - LLM_SHARE) * deterministic + LLM_SHARE * judged))


def judge_for(settings: Settings, redact: Callable[[str], str] | None = None) -> LLMJudge | None:
    """A judge when an LLM is configured and not turned off; None otherwise. ``redact``
    scrubs the transcript before it is sent (practice's --redact)."""
    from interviewsense.interviewer.llm_client import (
        ChatClient,
        bad_base_url,
        llm_configured,
        missing_key,
    )

    if settings.llm == "off" or not settings.llm_judge or not llm_configured(settings):
        return None
    if bad_base_url(settings) or missing_key(settings):  # the interviewer says why
        return None
    # One judge per server and model in a process, so that batch items and the turns of a
    # session share what it learned (an outage is waited for once, not once an item).
    key = (
        settings.llm_base_url,
        settings.azure_openai_endpoint,
        settings.llm_model,
        id(redact) if redact is not None else 0,
    )
    if key not in _JUDGES:
        _JUDGES[key] = LLMJudge(ChatClient(settings), redact)
    return _JUDGES[key]


_JUDGES: dict[tuple[str, str, str, int], LLMJudge] = {}
