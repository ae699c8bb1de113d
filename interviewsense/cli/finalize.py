"""``interviewsense finalize``: re-transcribe a recording, URL or session with Whisper."""

from __future__ import annotations

from typing import Annotated

import typer

from interviewsense.cli._app import command_app, console, emit_json, guarded, load, real_console
from interviewsense.cli._options import (
    FinalStt,
    Language,
    Report,
    Rubric,
    WhisperModel,
    setting_option,
    write_report_for,
)
from interviewsense.domain import InterviewType

app = command_app()


@app.command()
@guarded
def finalize(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            help="An audio file (WAV, MP3, FLAC, OGG, M4A …), an http(s) URL, or a session id.",
            metavar="SOURCE",
            show_default=False,
        ),
    ],
    question: Annotated[
        str, typer.Option("--question", "-q", help="The question the recording answers.")
    ] = "",
    qtype: Annotated[
        InterviewType | None,
        typer.Option(
            "--type",
            "-t",
            help="Interview type: sets the content checks (default behavioral; for a session, "
            "its own).",
            show_default=False,
        ),
    ] = None,
    whisper_model: WhisperModel = None,
    stt_final_engine: FinalStt = None,
    language: Language = None,
    rubric: Rubric = None,
    pause_threshold_s: Annotated[float | None, setting_option("pause_threshold_s", min=0)] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the answer JSON on stdout, nothing else.")
    ] = False,
    report: Report = None,
) -> None:
    """Transcribe a recorded answer with Whisper, score it and explain the score.

    \b
    Examples:
      interviewsense finalize answer.wav -q "Tell me about a conflict with a teammate"
      interviewsense finalize https://example.org/answer.mp3 --json > answer.json
      interviewsense finalize 20261130-073000-a1b2c3
    """
    from interviewsense.cli._ui import RichReporter
    from interviewsense.domain import to_json
    from interviewsense.flows.finalize import finalize as run
    from interviewsense.report.terminal import render_answer

    settings = load(ctx)
    reporter = RichReporter(real_console())
    result = run(source, settings, reporter, question=question, qtype=qtype)
    if as_json:
        for note in result.notes:
            from rich.markup import escape

            console.print(f"[yellow]note:[/] {escape(note)}")
        if len(result.answers) == 1 and result.session.kind == "finalize":
            data = to_json(result.answers[0])
            data["session_id"] = result.session.id
            emit_json(data)
        else:
            emit_json(to_json(result.session))
    else:
        for i, answer in enumerate(result.answers, 1):
            title = f"Answer {i}" if len(result.answers) > 1 else "Your answer"
            render_answer(console, answer, title=title)
        for why in result.kept_notes:
            from rich.markup import escape

            console.print(f"[yellow]note:[/] {escape(why)}")
    done = len(result.answers)
    if result.kept and not done:  # a session's answers, none re-transcribed: nothing changed
        from interviewsense.errors import BadInputError

        raise BadInputError(
            f"no answer of session {result.session.id} was re-transcribed: "
            + f"{result.kept[0][1]}; it is kept as it was",
            hint="its answers are kept as they were; check its recordings in "
            f"{settings.sessions_dir / result.session.id / 'audio'}",
        )
    console.print(f"[dim]saved as session {result.session.id}[/]")
    write_report_for(result.session.id, report)
    if result.kept:  # some of a session's answers: each was said why
        from interviewsense.errors import PartialFailure

        raise PartialFailure(
            f"{len(result.kept)} of {done + len(result.kept)} answers were kept as they were; "
            "the others are re-transcribed and saved",
            hint="each note above says why",
        )
