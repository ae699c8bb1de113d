"""Personas: how the interviewer sounds and phrases things (friendly, neutral, tough).

A persona changes the wording of lead-ins and follow-ups and the voice (which voice, how
fast, how high), with or without an LLM; the LLM also gets the persona's style.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from interviewsense.domain import PERSONA_NAMES, PersonaName, one_of
from interviewsense.tts.base import VoiceStyle


@dataclass(frozen=True)
class Persona:
    name: str
    voice: VoiceStyle
    welcome: str
    first: str  # lead-in before the first question
    next: tuple[str, ...]  # lead-ins before later questions, used in turn
    closing: str
    follow_ups: dict[str, str] = field(default_factory=dict)
    llm_style: str = ""


FOLLOW_UP_KINDS = (
    "ownership",
    "result",
    "action",
    "situation",
    "numbers",
    "rambling",
    "reasoning",
    "example",
)

PERSONAS: dict[PersonaName, Persona] = {
    "friendly": Persona(
        name="friendly",
        voice=VoiceStyle(
            voice="en-us+f3",
            rate=165,
            pitch=60,
            length_scale=1.05,
            noise_scale=0.4,
            noise_w=0.5,
            sentence_pause_s=0.35,
        ),
        welcome="Hi! Let's practise. Answer as you would in the real interview.",
        first="Let's start.",
        next=("Thanks, that's helpful.", "Thank you.", "Thanks for sharing that."),
        closing="That's all my questions. Well done for practising!",
        follow_ups={
            "ownership": "I'd love to hear more about your own part. What did you do yourself?",
            "result": "How did it turn out in the end? What was the result?",
            "action": "Could you walk me through what you actually did, step by step?",
            "situation": "Could you give me a bit more context? What was the situation, and "
            "what were you asked to do?",
            # Said after any answer, weak ones too: warm, never praise (QA: "That sounds
            # good" after an answer scored 19).
            "numbers": "Thanks. How did you measure the impact?",
            "rambling": "Thanks! If you had to sum that up in two sentences, what would you say?",
            "reasoning": "What made you choose that approach over the alternatives?",
            "example": "Could you give me a concrete example from your own work?",
        },
        llm_style="warm and encouraging; acknowledge the answer briefly before asking",
    ),
    "neutral": Persona(
        name="neutral",
        voice=VoiceStyle(
            voice="en-gb", rate=170, pitch=48, noise_scale=0.5, noise_w=0.6, sentence_pause_s=0.3
        ),
        welcome="Hello. This is a practice interview.",
        first="First question.",
        next=("Next question.", "Thank you. Next question.", "Moving on."),
        closing="That concludes the interview. Thank you.",
        follow_ups={
            "ownership": "What was your own part in that?",
            "result": "What was the result?",
            "action": "What did you do, specifically?",
            "situation": "What was the situation, and what were you asked to do?",
            "numbers": "How did you measure that?",
            "rambling": "In two sentences, what was the key point?",
            "reasoning": "Why that approach rather than another?",
            "example": "Can you give a concrete example?",
        },
        llm_style="neutral and professional; no praise, no criticism",
    ),
    "tough": Persona(
        name="tough",
        voice=VoiceStyle(
            voice="en-us+m3", rate=185, pitch=35, length_scale=0.9, sentence_pause_s=0.2
        ),
        welcome="Let's begin. I will push on your answers.",
        first="First question.",
        next=("Next.", "All right. Next.", "Let's move on."),
        closing="We're done. Work on the gaps I pointed out.",
        follow_ups={
            "ownership": "You keep saying 'we'. What did you do, personally?",
            "result": "You didn't tell me the outcome. What was the result, in numbers?",
            "action": "That's context, not action. What exactly did you do?",
            "situation": "I'm missing the context. What was at stake, and what was your role?",
            "numbers": "That's vague. How do you know it worked? Give me a number.",
            "rambling": "That was long. Give me the point in two sentences.",
            "reasoning": "Why? What did you trade off, and what did you reject?",
            "example": "That's theory. When did you actually do this?",
        },
        llm_style="demanding and skeptical; press for specifics, numbers and personal ownership",
    ),
}


def get_persona(name: str) -> Persona:
    """The persona called ``name``, or a ``BadInputError`` listing them."""
    return PERSONAS[one_of(PERSONA_NAMES, name, "persona")]


if set(PERSONAS) != set(PERSONA_NAMES):  # pragma: no cover - a programming error
    raise RuntimeError("PERSONAS must define exactly the personas domain.PersonaName names")
