"""``interviewsense devices``: the microphones and speakers PortAudio sees."""

from __future__ import annotations

from typing import Annotated

import typer

from interviewsense.cli._app import command_app, console, emit_json, guarded, load
from interviewsense.errors import BadInputError

app = command_app()


@app.command()
@guarded
def devices(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List microphones and speakers; pass a name or index to --input-device/--output-device."""
    from interviewsense.audio.devices import default_devices, list_devices

    settings = load()
    found = list_devices()
    problems: list[BadInputError] = []  # a device set that is not there: this is the list
    chosen = default_devices(settings, problems)
    if as_json:
        emit_json(
            {
                "devices": [d.__dict__ for d in found],
                "input": chosen.input_index,
                "output": chosen.output_index,
                "problems": [p.message for p in problems],
            }
        )
        return
    for problem in problems:
        console.print(
            f"[yellow]{problem.message}[/] (--input-device / --output-device or "
            "INTERVIEWSENSE_INPUT_DEVICE / INTERVIEWSENSE_OUTPUT_DEVICE): pick one below"
        )
    if not found:  # QA: an empty table's frame, and nothing said
        console.print(
            "no audio devices found: questions are shown, not spoken, and answers are typed"
        )
        console.print(
            "[dim]hint: plug in a headset, or check the sound server ('pactl info' on Linux)[/]"
        )
        return
    from rich.table import Table

    table = Table(title="Audio devices", title_justify="left")
    for col in ("#", "name", "host API", "in", "out", "rate", "used"):
        table.add_column(col)
    for d in found:
        used = []
        if d.index == chosen.input_index:
            used.append("microphone")
        if d.index == chosen.output_index:
            used.append("speaker")
        table.add_row(
            str(d.index),
            d.name,
            d.hostapi,
            str(d.inputs),
            str(d.outputs),
            f"{d.default_rate:.0f}",
            ", ".join(used),
        )
    console.print(table)
    if chosen.input_index is None:
        console.print("[yellow]no microphone:[/] practice will ask you to type your answers")
