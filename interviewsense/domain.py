"""The plain dataclasses that flow between stages, and their JSON form (the public contract).

``to_json`` gives the documented JSON shapes (see ARCHITECTURE.md); ``from_json`` reads them
back, checking types, so a damaged file raises ``BadInputError`` instead of crashing later.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard, TypeVar, get_args

from interviewsense.errors import BadInputError

ANSWER_SCHEMA = "interviewsense.answer/1"
SESSION_SCHEMA = "interviewsense.session/1"
REPORT_TITLE = "InterviewSense report"  # each report's title (and how -o knows one)
REPORT_SCHEMA = "interviewsense.report/1"  # sessions report -f json: the session and its series
HISTORY_SCHEMA = "interviewsense.history/1"  # history --json

T = TypeVar("T")

# The names the tool writes and reads, each declared once as a Literal type: mypy checks every
# use, ``from_json`` refuses a value outside one, and the tuples below (derived, never
# retyped) give the CLI's choices, the manifest check and the bank and rubric validation.
InterviewType = Literal["behavioral", "technical", "system_design", "product", "general"]
Level = Literal["junior", "mid", "senior"]
BankLevel = Literal["any", "junior", "mid", "senior"]  # a bank question: any level, or one
PersonaName = Literal["friendly", "neutral", "tough"]
QuestionSource = Literal["user", "bank", "llm", "follow-up"]
TranscriptEngine = Literal["vosk", "whisper-live", "whisper-final", "text"]
MarkSource = Literal["", "transcribed", "heard"]
TurnStatus = Literal["asking", "answered", "skipped", "partial", "unanswered", "recovered"]
InterviewerSource = Literal["offline", "llm", "offline-fallback"]
# "ended": the candidate quit (q, or the end of typed input) before the planned questions
# were done; what was answered is scored and kept as in a complete one.
SessionStatus = Literal["in_progress", "complete", "ended", "interrupted", "repaired"]
SessionKind = Literal["practice", "finalize"]
ReportFormat = Literal["md", "html", "json"]  # a report file
ReportView = Literal["terminal", ReportFormat]  # sessions report: on screen, or a file
# The text-to-speech engines shipped, each one TTS.register line in tts/registry.py (a test
# keeps the two equal). A session only notes the name, never reads it back, so the Speaker
# protocol takes any str: an engine registered by a test or a plugin needs no line here.
SpeakerName = Literal["piper", "pyttsx3", "silent"]

INTERVIEW_TYPES: tuple[InterviewType, ...] = get_args(InterviewType)
LEVELS: tuple[Level, ...] = get_args(Level)
BANK_LEVELS: tuple[BankLevel, ...] = get_args(BankLevel)
PERSONA_NAMES: tuple[PersonaName, ...] = get_args(PersonaName)
TURN_STATUSES: tuple[TurnStatus, ...] = get_args(TurnStatus)
REPORT_FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)
TRANSCRIPT_ENGINES: tuple[TranscriptEngine, ...] = get_args(TranscriptEngine)
SPEAKER_NAMES: tuple[SpeakerName, ...] = get_args(SpeakerName)


def one_of(names: tuple[T, ...], value: object, what: str) -> T:
    """``value`` as one of ``names`` (a Literal's tuple above), or a ``BadInputError`` that
    lists them: for text from outside (a manifest, a bank, a request)."""
    for name in names:
        if name == value:
            return name
    raise BadInputError(
        f"unknown {what} {value!r}", hint=f"use one of: {', '.join(map(str, names))}"
    )


@dataclass
class Question:
    """A question as asked: its text and where it came from."""

    text: str
    type: InterviewType = "behavioral"
    competency: str = ""
    level: BankLevel | Literal[""] = ""
    id: str = ""
    source: QuestionSource = "user"
    follow_up: bool = False
    keywords: list[str] = field(default_factory=list)
    spoken: str = ""  # what the interviewer says: the text with the persona's lead-in
    follow_up_of: str = ""  # for a follow-up, the question it follows


@dataclass
class Word:
    """One recognised word with its times in seconds and the engine's confidence."""

    w: str
    start: float
    end: float
    p: float = 1.0


@dataclass
class Segment:
    """One stretch the recogniser decoded as a unit: its text, its times, and how many of
    the transcript's words (in order, after the previous segments' words) it holds."""

    text: str
    start: float
    end: float
    words: int = 0


@dataclass
class Transcript:
    text: str
    engine: TranscriptEngine
    model: str = ""
    language: str = "en"
    words: list[Word] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)  # Whisper's; empty for other engines

    @property
    def timed(self) -> bool:
        """Whether the words carry real times (a typed or manifest transcript does not)."""
        return self.engine != "text" and bool(self.words)


@dataclass
class AudioInfo:
    path: str
    duration_s: float
    sample_rate: int
    channels: int = 1
    source: str = ""
    format: str = ""


@dataclass
class Component:
    """One part of a score: what it measured, the points it gave, and why."""

    name: str
    points: float
    max_points: float
    why: str


@dataclass
class Mark:
    """Something found at a time in the answer (a filler, a hedge, a repeat)."""

    w: str
    start: float | None = None
    end: float | None = None
    index: int = -1  # position in the transcript's words, -1 when it came from elsewhere
    # For fillers: "transcribed" (a word with speech under it) or "heard" (a short voiced
    # stretch no word covers); empty for other marks.
    source: MarkSource = ""


@dataclass
class Pause:
    start: float
    end: float
    duration: float
    after: str = ""


@dataclass
class CountStat:
    """A counted cue (fillers, hedges): totals, rates, the most frequent, and every hit."""

    count: int = 0
    per_min: float | None = None
    per_100_words: float | None = None
    top: list[tuple[str, int]] = field(default_factory=list)
    items: list[Mark] = field(default_factory=list)


@dataclass
class PaceWindow:
    start: float
    end: float
    words: int
    wpm: float | None


@dataclass
class Delivery:
    score: int | None
    wpm: float | None
    speaking_time_s: float | None
    pace_band: str
    pace_windows: list[PaceWindow]
    fillers: CountStat
    recovered_fillers: list[Mark]
    long_pauses: list[Pause]
    pause_threshold_s: float
    hedges: CountStat
    repetitions: list[Mark]
    breakdown: list[Component]
    missing: list[str] = field(default_factory=list)
    # Transcribed filler sounds with no speech under them in the audio: not counted.
    unheard_fillers: int = 0


@dataclass
class StarPart:
    found: bool
    sentence: str = ""
    cue: str = ""


@dataclass
class Content:
    score: int
    star: dict[str, StarPart]
    structure_kind: str  # star | reasoning | prep
    structure: dict[str, StarPart]
    specificity: dict[str, Any]
    ownership: dict[str, Any]
    relevance: dict[str, Any]
    word_count: int
    length_band: str
    breakdown: list[Component]
    # How much the answer says (scoring/substance.py); empty in answers scored before it.
    substance: dict[str, Any] = field(default_factory=dict)
    # "deterministic", or "llm" when an LLM judge's verdict is blended in (scoring/judge.py).
    method: str = "deterministic"
    judge: dict[str, Any] = field(default_factory=dict)
    # What this score could not judge, said to the candidate (scoring/substance.py UNCHECKED);
    # empty when an LLM judge's verdict is in it, for a follow-up, or when nothing was said.
    unchecked: str = ""
    # The coach model's rating (scoring/coach.py): p (a coach bands it good or strong),
    # quality (the expected band, needs work 0 to strong 1) and band (the nearest), model,
    # answers (it learned from), weakest and strongest sentence; empty without the embedding
    # model, for a follow-up, and in answers scored before it.
    impression: dict[str, Any] = field(default_factory=dict)


@dataclass
class Voice:
    score: int | None
    available: bool
    note: str = ""
    pitch_median_hz: float | None = None
    pitch_sd_semitones: float | None = None
    pitch_range_semitones: float | None = None
    monotone: bool | None = None
    loudness_sd_db: float | None = None
    speaking_ratio: float | None = None
    cues: dict[str, Any] = field(default_factory=dict)
    breakdown: list[Component] = field(default_factory=list)


@dataclass
class Score:
    overall: int
    band: str
    rubric_version: str
    delivery: Delivery
    content: Content
    voice: Voice
    weights: dict[str, float] = field(default_factory=dict)
    caps: list[Component] = field(default_factory=list)  # points = the cap, why = the gap
    # Caps a gap would have set that did not apply, and why (points = the cap it would be).
    lifted: list[Component] = field(default_factory=list)


@dataclass
class Answer:
    question: str
    transcript: Transcript
    scores: Score
    feedback: list[str]
    audio: AudioInfo | None = None
    notes: list[str] = field(default_factory=list)
    question_info: Question | None = None
    schema: str = ANSWER_SCHEMA


def said(answer: Answer | None) -> TypeGuard[Answer]:
    """Whether an answer counts in a session's means (its summary, history, progress): it has
    words. One with nothing heard or typed is kept, with its note, and counted apart."""
    return answer is not None and bool(answer.transcript.text.strip())


# The keys ``summarize`` may give: what a flow or a repair replaces when answers change.
SUMMARY_TOTALS = ("answers", "skipped", "overall", "content", "delivery", "voice", "fillers")


def refresh_totals(session: Session) -> None:
    """Replace the session's totals with ``summarize``'s, keeping what else its summary holds
    (the closing assessment, input overflows: a review found finalize wiping them)."""
    for key in SUMMARY_TOTALS:
        session.summary.pop(key, None)
    session.summary.update(summarize(session))


def summarize(session: Session) -> dict[str, object]:
    """Session totals: answers, skipped, mean scores, fillers (``Session.summary`` holds
    them with what else a flow adds, e.g. the closing assessment)."""
    answers = [t.answer for t in session.turns if said(t.answer)]
    if not answers:
        return {"answers": 0, "skipped": sum(1 for t in session.turns if t.status == "skipped")}

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    return {
        "answers": len(answers),
        "skipped": sum(1 for t in session.turns if t.status == "skipped"),
        "overall": mean([a.scores.overall for a in answers]),
        "content": mean([a.scores.content.score for a in answers]),
        "delivery": mean(
            [float(a.scores.delivery.score) for a in answers if a.scores.delivery.score is not None]
        ),
        "voice": mean(
            [float(a.scores.voice.score) for a in answers if a.scores.voice.score is not None]
        ),
        "fillers": sum(a.scores.delivery.fillers.count for a in answers),
    }


@dataclass
class AnswerEnd:
    """How an answer ended: by what, under which rule, and when a pause ended it, what the
    rule waited for (audio/endpoint.py ``WHY``) and how long the pause was by then."""

    by: str  # silence | enter | max | key | interrupted | disk-full | recorder-stopped | eof
    # (the web page: silence | max | stop)
    rule: str = ""
    why: str = ""  # a key of audio/endpoint.py WHY, for a pause
    wait_s: float | None = None  # the silence the rule asked for
    pause_s: float | None = None  # the silence when it decided (more: it waited for the text)
    p: float | None = None  # the turn model's probability that the answer was finished


@dataclass
class Turn:
    index: int
    question: Question
    answer: Answer | None = None
    timings: dict[str, float] = field(default_factory=dict)
    status: TurnStatus = "answered"
    interviewer: InterviewerSource = "offline"
    notes: list[str] = field(default_factory=list)
    question_audio: AudioInfo | None = None  # the question as spoken (source "tts:ENGINE")
    end: AnswerEnd | None = None  # how the answer ended (spoken and typed answers)


@dataclass
class SyncState:
    target: str = ""
    synced_at: str = ""
    files: dict[str, str] = field(default_factory=dict)  # each file's MD5 (session.json: its hash)
    # Each file's [size, mtime_ns] when its MD5 was taken: a file that still matches is not
    # read again, so a sync with nothing new reads no audio (the quick check rsync makes).
    stats: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class Session:
    id: str
    started_at: str
    type: InterviewType = "behavioral"
    persona: PersonaName | Literal[""] = "friendly"  # "" for a finalize session
    ended_at: str = ""
    status: SessionStatus = "in_progress"
    settings: dict[str, Any] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    sync: SyncState = field(default_factory=SyncState)
    kind: SessionKind = "practice"
    schema: str = SESSION_SCHEMA

    @property
    def started(self) -> str:
        """The start to the minute in this machine's time zone, as reports show it:
        '2026-11-30 11:23' (``local_start``)."""
        return local_start(self.started_at)[:16].replace("T", " ")


def local_start(started_at: str) -> str:
    """A saved start time (ISO 8601 with the offset of the machine that saved it: a server
    elsewhere, a laptop in another zone) in this machine's time zone, without the offset; a
    time with no offset is local already; one that does not parse is given as it is."""
    from datetime import datetime

    try:
        when = datetime.fromisoformat(started_at)
    except ValueError:
        return started_at
    if when.tzinfo is None:
        return started_at
    return when.astimezone().replace(tzinfo=None).isoformat(timespec="seconds")


def start_order(started_at: str) -> tuple[int, float, str]:
    """A key that orders saved start times as they happened, whatever offset each was saved
    with (a clock put back an hour, a laptop that travelled): not as text, which a review
    found putting 02:30+02:00 after 02:10+01:00. A time with no offset is this machine's;
    one that does not parse goes last."""
    from datetime import datetime

    try:
        return 0, datetime.fromisoformat(started_at).timestamp(), started_at
    except (ValueError, OverflowError, OSError):
        return 1, 0.0, started_at


def to_json(obj: Any) -> Any:
    """A dataclass tree as plain JSON values (tuples become lists)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list | tuple):
        return [to_json(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, float):
        return round(obj, 4)
    return obj


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _convert(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any:  # the free-form parts of a score: their text is cleaned all the same
        return _cleaned(value)
    if origin is Literal:
        names = typing.get_args(tp)
        if value not in names:
            shown = ", ".join(map(repr, names))
            raise BadInputError(f"{where}: expected one of {shown}, found {value!r}")
        return value
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, value, where)
            except BadInputError as exc:
                errors.append(exc)
        raise errors[0] if errors else _bad(where, tp, value)
    if origin is list:
        if not isinstance(value, list):
            raise _bad(where, tp, value)
        (item,) = typing.get_args(tp)
        return [_convert(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, list | tuple) or len(value) != len(args):
            raise _bad(where, tp, value)
        return tuple(
            _convert(a, v, f"{where}[{i}]")
            for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if origin is dict:
        if not isinstance(value, dict):
            raise _bad(where, tp, value)
        _, vt = typing.get_args(tp)
        return {str(k): _convert(vt, v, f"{where}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return from_json(tp, value, where)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(where, tp, value)
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(where, tp, value)
        return value
    if tp is str:
        if not isinstance(value, str):
            raise _bad(where, tp, value)
        # Text read back is shown as text: a session.json edited to hold a terminal's
        # escape sequences (a window title, a cleared screen) loses them (a review).
        return _cleaned(value)
    if tp is bool:
        if not isinstance(value, bool):
            raise _bad(where, tp, value)
        return value
    raise _bad(where, tp, value)  # pragma: no cover - a type we do not use


# Characters that separate words or lines (a carriage return, Word's soft line break, a form
# feed, the information separators, NEL) become a newline; other control characters go.
_SEPARATOR = re.compile(r"[\r\x0b\x0c\x1c-\x1f\x85]")
# Bidirectional overrides and isolates (U+202A-202E, U+2066-2069) go too: they make text
# read in an order other than it is stored ("Trojan Source").
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
# A terminal's escape sequences (CSI "ESC [ … m", OSC "ESC ] … BEL", and two-character ones)
# go whole, not only their ESC, or "[31m" would be left as a word.
ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_]?)")
_UNSAFE = re.compile(f"{_SEPARATOR.pattern}|{_CONTROL.pattern}|[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text a person typed or sent, safe to store and show: bytes that were not UTF-8 (read
    as lone surrogates) become U+FFFD, characters that separate words or lines become a
    newline, and other control characters (a terminal's escape sequences among them, and
    bidirectional overrides) are dropped."""
    try:  # bytes read with surrogateescape (stdin) come back as the bytes they were
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    text = ESCAPES.sub("", raw.decode("utf-8", "replace"))
    return _CONTROL.sub("", _SEPARATOR.sub("\n", text))


def _cleaned(value: Any) -> Any:
    """A JSON value with every text in it passed through ``clean_text`` where it holds a
    control character (quotes in a score's evidence, an assessment's lines …)."""
    if isinstance(value, str):
        return clean_text(value) if _UNSAFE.search(value) else value
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    return value


def _bad(where: str, tp: Any, value: Any) -> BadInputError:
    name = getattr(tp, "__name__", str(tp))
    return BadInputError(f"{where}: expected {name}, found {type(value).__name__}")


def newer_schema(data: Any, ours: str) -> str | None:
    """The schema a document names when it is a later version of ``ours`` (a newer
    InterviewSense made it: read as ours, what it added would be dropped on the next save),
    else None."""
    named = data.get("schema") if isinstance(data, dict) else None
    if not isinstance(named, str):
        return None
    kind, _, version = named.rpartition("/")
    our_kind, _, our_version = ours.rpartition("/")
    if kind != our_kind or not (version.isascii() and version.isdigit()):
        return None
    return named if int(version) > int(our_version) else None


def from_json(cls: type[T], data: Any, where: str = "$") -> T:
    """Build ``cls`` from JSON values, checking every field; unknown keys are ignored."""
    if not isinstance(data, dict):
        raise _bad(where, cls, data)
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            no_default = f.default is dataclasses.MISSING
            if no_default and f.default_factory is dataclasses.MISSING:
                raise BadInputError(f"{where}.{f.name}: missing")
            continue
        kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{where}.{f.name}")
        shape = SHAPES.get((cls, f.name))
        if shape is not None:
            _check_shape(shape, kwargs[f.name], f"{where}.{f.name}")
    return cls(**kwargs)


# The free-form parts of a score and of a session's summary, as the scorer and the flows
# write them: what each key holds when it is there ("num" an int or a float, a trailing "?"
# also null, [x] a list of x, {…} an object whose other keys are not checked). Checked on
# load like every typed field, so a report or the API never meets a null where it reads a
# number: a session.json edited by hand is damaged, said once, not a bug's exit halfway
# through a report (a review).
Shape = str | list[Any] | dict[str, Any]
_JUDGED = {"rating": "num", "out_of": "num", "reason": "str", "model": "str", "rubric": "str"}
_QUOTED = {"present": "bool", "quote": "str?"}
SHAPES: dict[tuple[type, str], Shape] = {
    # Times as practice and finalize write them (ISO 8601): history and compare order and
    # group by them, so one that is not a time is damage (a review: "garbage" was a day).
    (Session, "started_at"): "instant",
    (Session, "ended_at"): "instant-or-empty",  # empty while the session runs
    # A recording the session keeps, in its own folder: "audio/a01.wav" (or ""), never a path
    # that leads out of it (a report, an export or the API would read another file).
    (AudioInfo, "path"): "recording",
    # A turn's number names its recordings (aNN.wav, 1 to 999: storage/store.py audio_name),
    # and a score is out of 100 (a review: index 0 made `sessions play` exit 70, and an
    # overall of -50 pulled history's trend down).
    (Turn, "index"): "turn",
    (Score, "overall"): "percent",
    (Content, "score"): "percent",
    (Delivery, "score"): "percent?",  # None: not measured
    (Voice, "score"): "percent?",
    (Content, "specificity"): {"count": "num", "numbers": ["str"], "tools": ["str"]},
    (Content, "ownership"): {"i": "num", "we": "num", "i_acting": "num", "i_share": "num?"},
    (Content, "relevance"): {
        "terms": ["str"],
        "matched": ["str"],
        "share": "num?",
        "method": "str",
        "model": "str",
        "note": "str",
        "similarity": "num",
        "closest": "str",
        "answer_similarity": "num",
        "type_similarity": "num",
        "cliche": "str",
        "cliche_similarity": "num",
        "llm": _JUDGED,
        "judge": _JUDGED,
    },
    (Content, "substance"): {
        "content_words": "num",
        "distinct_share": "num",
        "repeated_phrases": [{"phrase": "str", "count": "num"}],
        "repeats_per_100_words": "num",
        "echo_share": "num",
        "echo_counted": "bool",
        "hedges_per_sentence": "num",
        "blame": ["str"],
        "leaving": ["str"],
        "unsure": ["str"],
        "sentences": "num",
        "sweeping": [{"sentence": "str", "words": ["str"]}],
        "sweeping_share": "num",
        "fraction": "num",
        "worst": "num",
        "weakest_signal": "str",
    },
    (Content, "judge"): {
        "model": "str",
        "error": "str",
        "note": "str",
        "advice": "str",
        "score": "num",
        "deterministic": "num",
        **dict.fromkeys(("situation", "task", "action", "result", "blame"), _QUOTED),
        **dict.fromkeys(("relevance", "specificity", "accuracy"), "num"),
        **{f"{aspect}_reason": "str" for aspect in ("relevance", "specificity", "accuracy")},
    },
    (Content, "impression"): {
        "p": "num",
        "quality": "num",
        "band": "str",
        "model": "str",
        "answers": "num",
        "weakest": "str",
        "strongest": "str",
        "reader": {
            "used": "bool",
            "model": "str",
            "answers": "num",
            "note": "str",
            "p": "num",
            "quality": "num",
            "band": "str",
            "weight": "num",
        },
    },
    (Session, "summary"): {
        "answers": "num",
        "skipped": "num",
        "fillers": "num",
        "input_overflows": "num",
        **dict.fromkeys(("overall", "content", "delivery", "voice"), "num?"),
        "assessment": {
            "source": "str",
            "strengths": ["str"],
            "gaps": ["str"],
            "model_answers": [{"question": "str", "outline": "str"}],
        },
    },
}


def _check_shape(shape: Shape, value: Any, where: str) -> None:
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise BadInputError(f"{where}: expected an object, found {type(value).__name__}")
        for key, inner in shape.items():
            if key in value:
                _check_shape(inner, value[key], f"{where}.{key}")
    elif isinstance(shape, list):
        if not isinstance(value, list):
            raise BadInputError(f"{where}: expected a list, found {type(value).__name__}")
        for i, item in enumerate(value):
            _check_shape(shape[0], item, f"{where}[{i}]")
    else:
        kind = shape.removesuffix("?")
        if value is None and shape.endswith("?"):
            return
        if kind == "recording":  # a str already: AudioInfo.path's own type was checked
            if value and not _in_audio_folder(value):
                raise BadInputError(
                    f"{where}: {value!r} is not a file in the session's audio folder"
                )
            return
        if kind in _RANGES:  # a number already: the field's own type was checked
            low, high = _RANGES[kind]
            if not low <= value <= high:
                raise BadInputError(f"{where}: {value!r} is not from {low} to {high}")
            return
        if not _IS[kind](value):
            if kind.startswith("instant"):
                raise BadInputError(f"{where}: {value!r} is not a time (ISO 8601)")
            raise BadInputError(f"{where}: expected {kind}, found {type(value).__name__}")


MAX_TURNS = 999  # a session's turns are numbered 1 to this: their recordings are aNN.wav
_RANGES = {"turn": (1, MAX_TURNS), "percent": (0, 100)}


_IS: dict[str, Any] = {  # the scalar kinds of SHAPES, each checked only when asked for
    "num": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "instant": lambda v: _is_instant(v),
    "instant-or-empty": lambda v: v == "" or _is_instant(v),
}


def _is_instant(value: Any) -> bool:
    from datetime import datetime

    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _in_audio_folder(path: str) -> bool:
    """Whether ``path`` names a file directly in a session's ``audio/`` folder."""
    folder, slash, name = path.partition("/")
    return (
        folder == "audio"
        and bool(slash)
        and name not in ("", ".", "..")
        and not any(c in name for c in "/\\\0")
    )
