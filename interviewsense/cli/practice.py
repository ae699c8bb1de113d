"""``interviewsense practice``: a spoken mock interview in the terminal."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from interviewsense.cli._app import command_app, emit_json, guarded, load, real_console
from interviewsense.cli._options import (
    FinalStt,
    Language,
    Report,
    WhisperModel,
    setting_option,
    write_report_for,
)
from interviewsense.domain import InterviewType, Level, PersonaName


def read_text_file(path: Path | None, what: str) -> str:
    """A text file's content for the LLM prompt, or a clear error."""

    if path is None:
        return ""
    from interviewsense.fsutil import read_text
    from interviewsense.interviewer.llm import MAX_CONTEXT_CHARS

    # The prompt takes its first MAX_CONTEXT_CHARS characters; a character is 4 bytes at most.
    return read_text(path, what, most_bytes=4 * MAX_CONTEXT_CHARS).strip()


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


app = command_app()


@app.command()
@guarded
def practice(
    ctx: typer.Context,
    qtype: Annotated[
        InterviewType, typer.Option("--type", "-t", help="Interview type.")
    ] = "behavioral",
    persona: Annotated[
        PersonaName, typer.Option("--persona", "-p", help="How the interviewer sounds.")
    ] = "friendly",
    questions: Annotated[
        int, typer.Option("--questions", "-n", min=1, max=30, help="Main questions to ask.")
    ] = 5,
    role: Annotated[str, typer.Option(help="The role you are interviewing for.")] = "",
    level: Annotated[
        Level | None, typer.Option(help="Picks questions for that level; default: any level.")
    ] = None,
    company: Annotated[str, typer.Option(help="The company (tailors LLM questions).")] = "",
    job_description: Annotated[
        Path | None,
        typer.Option("--job-description", help="A text file with the job ad (for the LLM)."),
    ] = None,
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Your resume as a text file (for the LLM).")
    ] = None,
    llm: Annotated[str | None, setting_option("llm")] = None,
    llm_model: Annotated[str | None, setting_option("llm_model")] = None,
    llm_base_url: Annotated[str | None, setting_option("llm_base_url")] = None,
    redact: Annotated[
        bool,
        typer.Option(
            "--redact", help="Remove e-mails and phone numbers from text sent to the LLM."
        ),
    ] = False,
    redact_name: Annotated[
        list[str] | None,
        typer.Option(
            "--redact-name",
            help="A name to remove from text sent to the LLM (repeat it; implies --redact).",
        ),
    ] = None,
    keyboard: Annotated[
        bool, typer.Option("--keyboard", help="Type the answers instead of speaking them.")
    ] = False,
    no_voice: Annotated[
        bool, typer.Option("--no-voice", help="Show the questions without speaking them.")
    ] = False,
    tts_engine: Annotated[str | None, setting_option("tts_engine")] = None,
    tts_voice: Annotated[str | None, setting_option("tts_voice")] = None,
    follow_ups: Annotated[
        bool, typer.Option("--follow-ups/--no-follow-ups", help="Ask follow-up questions.")
    ] = True,
    silence: Annotated[
        float | None,
        typer.Option(
            "--silence",
            min=0.5,
            max=10.0,
            help="End every answer after this fixed silence (the old rule); default: the "
            "answer ends when it sounds finished (docs/practice.md).",
        ),
    ] = None,
    turn_max_pause_s: Annotated[float | None, setting_option("turn_max_pause_s")] = None,
    max_answer: Annotated[
        float,
        typer.Option("--max-answer", min=10, max=1800, help="Longest answer, in seconds."),
    ] = 180.0,
    language: Language = None,
    stt_live_engine: Annotated[str | None, setting_option("stt_live_engine")] = None,
    vosk_model: Annotated[str | None, setting_option("vosk_model")] = None,
    whisper_model: WhisperModel = None,
    stt_final_engine: FinalStt = None,
    input_device: Annotated[str | None, setting_option("input_device")] = None,
    output_device: Annotated[str | None, setting_option("output_device")] = None,
    barge_in: Annotated[bool | None, setting_option("barge_in")] = None,
    finalize: Annotated[
        bool, typer.Option("--finalize", help="Re-transcribe every answer with Whisper at the end.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the session JSON on stdout at the end.")
    ] = False,
    report: Report = None,
) -> None:
    """Run a mock interview: hear a question, answer out loud, get scored, go again.

    Keys while you answer: Enter ends the answer, r repeats the question, s skips it, q ends
    the session (it is saved); c, just after a pause ended the answer, goes on with it.
    Ctrl-C also ends and saves.
    """
    from interviewsense.cli._practice_ui import PracticeScreen, restore_terminal
    from interviewsense.cli._ui import RichReporter
    from interviewsense.domain import to_json
    from interviewsense.errors import Interrupted
    from interviewsense.flows.practice import Practice
    from interviewsense.flows.setup import PracticeOptions
    from interviewsense.interrupts import TERMINATING
    from interviewsense.interviewer.base import InterviewPlan

    settings = load(ctx)
    plan = InterviewPlan(
        type=qtype,
        persona=persona,
        questions=questions,
        follow_ups=follow_ups,
        role=role,
        level=level,
        company=company,
        job_description=read_text_file(job_description, "job description"),
        resume=read_text_file(resume, "resume"),
        redact=redact or bool(redact_name),
        redact_names=tuple(redact_name or ()),
    )
    options = PracticeOptions(
        plan=plan,
        keyboard=keyboard,
        voice=not no_voice,
        silence_s=silence,
        max_answer_s=max_answer,
        finalize=finalize,
    )
    screen = PracticeScreen(real_console())
    reporter = RichReporter(real_console())
    previous = {s: signal.signal(s, _sigterm) for s in TERMINATING}
    practice = Practice(options, settings, screen, screen, reporter)
    try:
        with restore_terminal(screen):
            session = practice.run()
    except Interrupted:
        if as_json:  # stopped is saved: a script still gets what was recorded
            emit_json(to_json(practice.session))
        raise
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if as_json:
        emit_json(to_json(session))
    write_report_for(session.id, report)
