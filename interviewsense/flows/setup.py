"""Getting a practice session's equipment ready, degrading gracefully at every step.

No microphone: typed answers. No speaker or TTS: questions shown only. No VOSK model: live
transcript by Whisper. No LLM: the offline interviewer. Each fallback is said once, with how
to get the full experience.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from interviewsense.config import Settings
from interviewsense.errors import (
    BadInputError,
    InterviewSenseError,
    MissingDependencyError,
    ServiceError,
)
from interviewsense.interviewer.base import Interviewer, InterviewPlan
from interviewsense.interviewer.personas import Persona, get_persona
from interviewsense.progress import Reporter
from interviewsense.stt.base import StreamingRecognizer
from interviewsense.tts.base import Speaker
from interviewsense.tts.silent import SilentSpeaker

if TYPE_CHECKING:
    from interviewsense.audio.capture import Microphone


@dataclass
class PracticeOptions:
    """What the user chose for a practice session (the plan, and how to answer)."""

    plan: InterviewPlan
    keyboard: bool = False
    voice: bool = True
    silence_s: float | None = None  # a fixed silence ends answers; None: audio/endpoint.py
    max_answer_s: float = 180.0
    finalize: bool = False


@dataclass
class Equipment:
    interviewer: Interviewer
    persona: Persona
    speaker: Speaker
    mic: Microphone | None
    recognizer: StreamingRecognizer | None
    output: int | None = None  # where the questions are played; None: only saved
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        if self.mic is not None:
            self.mic.close()
        if self.recognizer is not None:
            self.recognizer.close()


def _reachable(settings: Settings) -> None:
    """With ``--llm on`` practice needs the server: one that cannot be connected to, does not
    answer in time, refuses the key or answers what no OpenAI-compatible server would is an
    error before the first question (exit 5), as doctor says. One that has no model list
    (404) gets its chance; an outage later in the session goes on with the question banks,
    saying so, so the answers given are kept."""
    from interviewsense.diagnostics import PROBE_TIMEOUT_S
    from interviewsense.interviewer.llm_client import LLMDown, list_models

    try:
        list_models(settings, max(PROBE_TIMEOUT_S, settings.llm_timeout_s))
    except LLMDown as exc:
        # Not there, silent, refusing the key or not an OpenAI-compatible server: no
        # question would come from it (a review: a silent server or a 401 gave a whole
        # session from the banks, exit 0). One without a model list (404), or busy for now
        # (429, 5xx: llama.cpp answers 503 while its model loads), gets its chance.
        if exc.unreachable or exc.timed_out or exc.status in (401, 403) or exc.status is None:
            raise ServiceError(
                f"--llm on needs an LLM, and {exc}",
                hint="start the server or fix --llm-base-url; --llm auto practises with the "
                "question banks instead",
            ) from exc


def _scripted(plan: InterviewPlan, reporter: Reporter) -> Interviewer:
    """The offline interviewer; said when the level has fewer questions than asked for."""
    from interviewsense.interviewer.scripted import ScriptedInterviewer

    interviewer = ScriptedInterviewer(plan)
    tailored = [
        flag
        for flag, given in (
            ("--role", plan.role),
            ("--company", plan.company),
            ("--job-description", plan.job_description),
            ("--resume", plan.resume),
        )
        if given
    ]
    if tailored:  # a review: they did nothing, unsaid
        one = len(tailored) == 1
        reporter.notice(
            f"{', '.join(tailored)} {'is' if one else 'are'} for the LLM interviewer's "
            f"questions; the question banks do not use {'it' if one else 'them'} "
            "(docs/interviewer.md says how to set up an LLM)"
        )
    kind = plan.type.replace("_", " ")
    if interviewer.widened:
        from interviewsense.scoring.text import plural

        have = interviewer.distinct - len(interviewer.widened)
        reporter.notice(
            f"the {kind} bank has {plural(have, 'question')} for the {plan.level} level; "
            f"{plural(len(interviewer.widened), 'question')} from other levels "
            f"{'comes' if len(interviewer.widened) == 1 else 'come'} next"
        )
    if plan.questions > interviewer.distinct:
        reporter.notice(
            f"the {kind} bank has {interviewer.distinct} questions: "
            f"{plan.questions - interviewer.distinct} of the {plan.questions} are asked again"
        )
    return interviewer


def make_interviewer(plan: InterviewPlan, settings: Settings, reporter: Reporter) -> Interviewer:
    """The LLM interviewer when one is configured (or required), else the offline one."""
    from interviewsense.interviewer.llm_client import bad_base_url, llm_configured, missing_key

    mode = settings.llm.lower()  # one of config.LLM_MODES: load_settings checked it
    configured = llm_configured(settings)
    if mode == "off" or (mode == "auto" and not configured):
        return _scripted(plan, reporter)
    if problem := bad_base_url(settings):  # a typo in a setting the user made: in any mode
        raise BadInputError(problem, hint="for example --llm-base-url http://127.0.0.1:8080/v1")
    if problem := missing_key(settings):
        if mode == "on":
            raise MissingDependencyError(
                f"--llm on needs an LLM: {problem}",
                hint="or --llm auto, to practise with the question banks",
            )
        reporter.notice(f"{problem}: the questions come from the question banks")
        return _scripted(plan, reporter)
    if not configured:
        raise MissingDependencyError(
            "--llm on needs an LLM, and none is configured",
            hint="set OPENAI_API_KEY, or --llm-base-url for a local server (docs/interviewer.md)",
        )
    from interviewsense.interviewer.llm import LLMInterviewer
    from interviewsense.interviewer.redact import Redactor

    redactor = Redactor(plan.redact_names, enabled=plan.redact)
    return LLMInterviewer(plan, settings, notice=reporter.notice, redactor=redactor)


def prepare(options: PracticeOptions, settings: Settings, reporter: Reporter) -> Equipment:
    plan = options.plan
    persona = get_persona(plan.persona)
    interviewer = make_interviewer(plan, settings, reporter)
    from interviewsense.scoring.engine import OTHER_LANGUAGE_NOTE, other_language

    if other_language(settings.language):  # said once; each answer's notes say it too
        reporter.notice(OTHER_LANGUAGE_NOTE.format(language=settings.language))
    if settings.llm.lower() == "on":
        _reachable(settings)  # once, as the session starts (never per answer)
    eq = Equipment(
        interviewer=interviewer,
        persona=persona,
        speaker=SilentSpeaker(),
        mic=None,
        recognizer=None,
    )

    def note(message: str) -> None:
        eq.notes.append(message)
        reporter.notice(message)

    _known_engines(settings, options)  # a typo in an engine's name: an error, not a note
    devices = None
    if options.voice or not options.keyboard:
        try:
            from interviewsense.audio.devices import default_devices

            devices = default_devices(settings)
        except BadInputError:
            raise  # a device named that is not there (a typo): said, not typed answers
        except InterviewSenseError as exc:
            note(f"{exc.message}: questions are shown and answers typed")

    if options.voice:
        eq.speaker = _speaker(settings, reporter, note)
        if devices is None or devices.output_index is None:
            if devices is not None:
                note("no audio output found: questions are shown, not spoken")
        else:
            eq.output = devices.output_index

    if not options.keyboard and devices is not None:
        if devices.input_index is None:
            note("no microphone found: type your answers (or plug one in and restart)")
        else:
            eq.recognizer = _live_recognizer(settings, reporter, note)
            if eq.recognizer is not None:
                try:
                    from interviewsense.audio.capture import Microphone

                    eq.mic = Microphone(devices.input_index)
                except InterviewSenseError as exc:
                    note(f"{exc.message}: type your answers instead")
                    eq.recognizer = None
    if options.finalize and eq.mic is None:  # a review: it did nothing, without a word
        reporter.notice(FINALIZE_TYPED_NOTE)
    return eq


FINALIZE_TYPED_NOTE = (
    "--finalize transcribes recordings again with Whisper; typed answers have none, "
    "so it has nothing to do"
)


def _known_engines(settings: Settings, options: PracticeOptions) -> None:
    """Refuse an engine name no registry has (``--tts``, ``--live-stt``), of an engine the
    session would use: a review found a typo fall back to typed answers with a note, the
    session going on without what was asked for. Where the name came from is said (a flag,
    the environment, a file)."""
    from interviewsense.engines import AUTO, Registry
    from interviewsense.stt.registry import LIVE
    from interviewsense.tts.registry import TTS

    used: list[Registry[Any]] = [TTS] if options.voice else []
    used += [] if options.keyboard else [LIVE]
    for registry in used:
        name = str(getattr(settings, registry.setting))
        if name == AUTO:
            continue
        try:
            registry.get(name)
        except BadInputError as exc:
            source = settings.sources.get(registry.setting, "flag")
            if source != "flag":  # the message names the flag; it was set elsewhere
                exc.message = f"unknown {registry.kind} engine {name!r} (from {source})"
            raise


def _speaker(settings: Settings, reporter: Reporter, note: Callable[[str], None]) -> Speaker:
    """The voice ``--tts`` names (tts/registry.py); with ``auto`` the first available, and
    a note when a better one is missing. Any failure: questions are shown, not spoken."""
    from interviewsense.tts.registry import TTS

    try:
        info = TTS.choose(settings)
        for better in TTS.passed_over(settings, info):
            why = better.unavailable(settings) or "no voice for this language"
            note(f"{better.name}: {why}; the voice is {info.name} ({better.hint_for(settings)})")
        return info.build(settings, reporter)
    except InterviewSenseError as exc:
        note(f"{exc.message}; questions are shown, not spoken ({exc.hint})")
        return SilentSpeaker()


def _live_recognizer(
    settings: Settings, reporter: Reporter, note: Callable[[str], None]
) -> StreamingRecognizer | None:
    """The live engine ``--live-stt`` names (stt/registry.py); with ``auto`` VOSK when it
    has a model for the language, else Whisper, said once with how to get VOSK."""
    from interviewsense.stt.registry import LIVE

    try:
        info = LIVE.choose(settings)
        for better in LIVE.passed_over(settings, info):
            note(f"{better.unavailable(settings)}: the live transcript uses {info.name}; "
                 f"{better.hint_for(settings)}")  # fmt: skip
        return info.build(settings, reporter)
    except InterviewSenseError as exc:
        note(f"{exc.message}: type your answers instead ({exc.hint})")
        return None
