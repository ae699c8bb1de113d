"""The practice session on screen: a rich Live view on a terminal, plain lines otherwise.

Keys are read from the terminal in cbreak mode only while an answer is being recorded, and
the terminal is always restored. With no terminal on stdin, keys are off.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import sys
import threading
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interviewsense.domain import Question, Session, Turn
from interviewsense.flows.answer import LiveState
from interviewsense.flows.setup import Equipment
from interviewsense.interviewer.base import Assessment
from interviewsense.report.terminal import band_style
from interviewsense.stt.base import Partial

KEYS_HELP = "Enter ends the answer · r repeats · s skips · q ends the session"
UNDO_HELP = "answer ended · keep talking, or press c, to go on with it"
NO_INPUT_HELP = (
    "no sound at all from the microphone: is it muted or unplugged? Check it, "
    "or press q and run again with --keyboard to type your answers"
)


def no_input_help(keys: bool) -> str:
    """NO_INPUT_HELP, without the key when keys are off (no terminal: a review)."""
    return NO_INPUT_HELP if keys else NO_INPUT_HELP.replace("press q and ", "")


def clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60:02d}:{s % 60:02d}"


PASTE_GAP_S = 0.05  # lines that follow within this are one paste, not the next answers


def _read_line() -> str:
    """A line of stdin; a terminal that has gone (its window closed: EIO) stops the session
    as Ctrl-C does, saving what was recorded (a review: the error was a bug's exit and left
    the session in progress)."""
    from interviewsense.cli._app import hung_up

    try:
        return sys.stdin.readline()
    except OSError as exc:
        if hung_up(exc):
            raise KeyboardInterrupt from None
        raise


def _pasted_rest() -> list[str]:
    """In a terminal, the other lines of a paste (they arrive at once; a person types the
    next answer much later): one answer, not one answer a line (QA: the second line of a
    pasted answer became the next question's answer). A pipe's lines stay answers each."""
    import select

    if not sys.stdin.isatty():
        return []
    rest = []
    while select.select([sys.stdin], [], [], PASTE_GAP_S)[0]:
        more = _read_line()
        if not more:
            break
        rest.append(more.rstrip("\n"))
    return rest


class KeyReader:
    """Single keys from a terminal on stdin, read in a thread while it is running."""

    def __init__(self) -> None:
        self.enabled = sys.stdin.isatty()
        self._keys: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved: Any = None

    def start(self) -> None:
        if not self.enabled or self._thread is not None:
            return
        import termios
        import tty

        fd = sys.stdin.fileno()
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(fd,), daemon=True)
        self._thread.start()

    def _run(self, fd: int) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    data = os.read(fd, 1)
                except OSError:  # the terminal has gone (SIGHUP comes and stops the session)
                    return
                if not data:  # ... or it reads as ended: no more keys, and no busy loop
                    return
                self._keys.put(data.decode("utf-8", "ignore").lower())

    def stop(self) -> None:
        if self._thread is None:
            return
        import termios

        self._stop.set()
        self._thread.join()
        self._thread = None
        with contextlib.suppress(termios.error, OSError):  # a terminal gone has no mode
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)

    def poll(self) -> str | None:
        try:
            return self._keys.get_nowait()
        except queue.Empty:
            return None


def meter(level_db: float, width: int = 20) -> Text:
    filled = max(0, min(width, int((level_db + 60) / 60 * width)))
    style = "green" if filled < width * 0.8 else "yellow"
    return Text("▮" * filled, style=style) + Text("▯" * (width - filled), style="dim")


SUMMARY_COLUMNS = ("#", "question", "score", "band", "words", "wpm", "fillers")
NARROW_SUMMARY = 72  # columns: under this, the summary leaves out words, wpm and fillers
PRACTICE_CAPS = 3  # caps shown under an answer; the others are counted (the report has each)


class PracticeScreen:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.live_mode = console.is_terminal
        self.keys = KeyReader()
        self._live: Live | None = None
        self._max_s = 0.0
        self._said_ending = False
        self._said_no_input = False

    # --- KeySource ---------------------------------------------------------------------
    def poll(self) -> str | None:
        return self.keys.poll()

    # --- PracticeUI --------------------------------------------------------------------
    def welcome(self, text: str, session: Session, equipment: Equipment) -> None:
        mode = "voice" if equipment.mic is not None else "keyboard"
        lines = [
            Text(text),
            Text(
                f"{session.type.replace('_', ' ')} interview · {session.persona} interviewer · "
                f"{mode} answers · live transcript: "
                f"{equipment.recognizer.engine if equipment.recognizer else 'none'}",
                style="dim",
            ),
        ]
        if mode == "voice":
            lines.append(
                Text(KEYS_HELP if self.keys.enabled else "keys are off (no terminal)", style="dim")
            )
        else:
            lines.append(
                Text(
                    "Type each answer and press Enter; a line with just r, s or q "
                    "repeats, skips or ends.",
                    style="dim",
                )
            )
        self.console.print(Panel(Group(*lines), title="InterviewSense", title_align="left"))

    def question(self, q: Question, number: int, total: int) -> None:
        label = "Follow-up" if q.follow_up else f"Question {number}/{total}"
        if q.competency and not q.follow_up:
            label += f" · {q.competency}"
        self.console.print()
        self.console.print(Text(label, style="dim"))
        self.console.print(Text(q.spoken or q.text, style="bold"))

    def listening(self, max_s: float) -> None:
        self._max_s = max_s
        self._said_no_input = False
        self.keys.start()
        if self.live_mode:
            first = self._render(LiveState(0.0, -100.0, Partial("", ""), False, False))
            self._live = Live(first, console=self.console, refresh_per_second=10, transient=True)
            self._live.start()
        else:
            self.console.print(
                f"listening… (the answer ends when you sound finished; limit {clock(max_s)})"
            )

    def _render(self, live: LiveState) -> Any:
        status = Text.assemble(
            ("● ", "bold red"),
            ("listening " if not live.heard else "recording ", "bold"),
            (f"{clock(live.elapsed)} / {clock(self._max_s)}  ", "dim"),
            meter(live.level_db),
        )
        if live.ending:
            status.append(f"   {UNDO_HELP}", style="bold cyan")
        elif live.still_listening:  # calm, no countdown: thinking is allowed
            status.append("   still listening… take your time", style="cyan")
        if live.wrap_up:
            status.append("   ⏳ time to wrap up", style="bold yellow")
        if live.no_input:
            status.append(f"\n{NO_INPUT_HELP}", style="bold yellow")
        text = live.text
        body = Text(text.final_text)
        if text.partial_text:
            body.append((" " if text.final_text else "") + text.partial_text, style="dim italic")
        if not body.plain:
            body = Text("(speak when you are ready)", style="dim")
        hint = Text(KEYS_HELP if self.keys.enabled else "", style="dim")
        return Group(status, body, hint)

    def update(self, live: LiveState) -> None:
        if self._live is not None:
            self._live.update(self._render(live))
            return
        # Plain output: each notice is said once, so a log stays readable.
        if live.no_input and not self._said_no_input:
            self._said_no_input = True
            self.console.print(Text(no_input_help(self.keys.enabled), style="yellow"))
        if live.ending and not self._said_ending:
            self._said_ending = True
            said = UNDO_HELP if self.keys.enabled else UNDO_HELP.replace(", or press c,", "")
            self.console.print(Text(said, style="dim"))
        elif not live.ending:
            self._said_ending = False

    def stopped(self, reason: str) -> None:
        self.keys.stop()
        if self._live is not None:
            self._live.stop()
            self._live = None
        said = {
            "silence": "answer ended (silence)",
            "enter": "answer ended (Enter)",
            "max": "answer ended (time limit)",
            "key": "",
            "interrupted": "stopped",  # Ctrl-C, SIGTERM or a closed window alike
        }.get(reason, "")
        if said:
            self.console.print(Text(said, style="dim"))

    def answer_done(self, turn: Turn) -> None:
        answer = turn.answer
        if answer is None:
            return
        from interviewsense.report.data import cap_notes, sub_scores
        from interviewsense.scoring.text import plural

        s = answer.scores
        if answer.transcript.text:
            self.console.print(Text(f"“{answer.transcript.text}”", style="italic"))
        self.console.print(
            Text.assemble(
                ("score ", "dim"),
                (f"{s.overall}", band_style(s.band) + " bold"),
                (f" {s.band}", band_style(s.band)),
                ("  " + " · ".join(f"{name} {value}" for name, value in sub_scores(s)), "dim"),
            )
        )
        held = cap_notes(s)
        lines = Table.grid(padding=(0, 1))  # a wrapped line stays under its text (QA: col 0)
        lines.add_column(no_wrap=True)
        lines.add_column()
        # Why the score is under its parts, the binding cap first (a review: only it was shown,
        # though the report says each); past PRACTICE_CAPS, how many more the report has.
        for i, cap in enumerate(held[:PRACTICE_CAPS]):
            lines.add_row(" ", Text(cap, style=band_style(s.band) if i == 0 else "dim"))
        if len(held) > PRACTICE_CAPS:
            more = len(held) - PRACTICE_CAPS
            lines.add_row(
                " ", Text(f"and {plural(more, 'more cap')}: 'sessions show' lists each", "dim")
            )
        for item in answer.feedback[:3]:
            lines.add_row("  •", Text(item))  # Text: it quotes the answer, never markup
        self.console.print(lines)
        from interviewsense.scoring.judge import EARLIER

        judged = s.content.judge.get("note", "")
        if judged and EARLIER not in judged:  # once a session: it is not asked again
            self.console.print(Text(f"note: {judged}", style="yellow"))

    def typed_answer(self) -> str | None:
        """The next answer typed (None at the end of input). A blank line is no answer: it
        asks again (QA: a stray Enter was scored 0 and cost the question). A paste of several
        lines is one answer; its last line may still wait for Enter, so after one the answer
        goes on until an empty line."""
        prompt = True
        while True:
            if prompt:  # once for a pipe, whose blank lines are passed over in silence
                self.console.print(Text("your answer › ", style="bold cyan"), end="")
            prompt = sys.stdin.isatty()
            line = _read_line()
            if not line:
                return None
            lines = [line.rstrip("\n"), *_pasted_rest()]
            if len(lines) > 1:
                self.console.print(
                    Text("pasted: type more, or press Enter on an empty line to send", "dim")
                )
                while (more := _read_line()).strip():
                    lines += [more.rstrip("\n"), *_pasted_rest()]
            text = " ".join(lines).strip()
            if text:
                return text
            if sys.stdin.isatty():
                self.console.print(
                    Text("type your answer, then Enter (a line with s skips, q ends)", "dim")
                )

    def closing(self, session: Session, assessment: Assessment) -> None:
        # Narrower than NARROW_SUMMARY (a split pane), words, wpm and fillers go: the question
        # keeps room to be read, and no number is cut ("sc…", "ne… wo…" at 40 columns).
        narrow = self.console.width < NARROW_SUMMARY
        columns = [c for c in SUMMARY_COLUMNS if not (narrow and c in ("words", "wpm", "fillers"))]
        table = Table(title="Your session", title_justify="left")
        if narrow:  # no borders: their room goes to the question
            table = Table(title="Your session", title_justify="left", box=None, pad_edge=False)
        for col in columns:
            if col == "question":
                table.add_column(col, ratio=1, min_width=12)
            else:
                table.add_column(col, justify="left" if col == "band" else "right", no_wrap=True)
        for t in session.turns:
            a = t.answer
            # Text: an LLM's question is words, never markup ("[/b]" was an error at the end)
            cells: dict[str, Text | str] = {
                "#": str(t.index),
                "question": Text(("↳ " if t.question.follow_up else "") + t.question.text),
                "score": "–",
                "band": t.status,
                "words": "",
                "wpm": "",
                "fillers": "",
            }
            if a is not None:
                d = a.scores.delivery
                cells |= {
                    "score": str(a.scores.overall),
                    "band": a.scores.band,
                    "words": str(a.scores.content.word_count),
                    "wpm": "–" if d.wpm is None else f"{d.wpm:.0f}",
                    "fillers": str(d.fillers.count),
                }
            table.add_row(*(cells[c] for c in columns))
        self.console.print()
        self.console.print(table)
        for title, items in (
            ("[green]Strengths[/]", assessment.strengths),
            ("[yellow]Work on[/]", assessment.gaps),
        ):
            if items:
                self.console.print(title)
                bullets = Table.grid(padding=(0, 1))  # wrapped lines stay under their text
                bullets.add_column(no_wrap=True)
                bullets.add_column()
                for item in items:
                    bullets.add_row("  •", Text(item))
                self.console.print(bullets)
        self.console.print(
            f"[dim]session {session.id} saved; to see it again:[/]\n"
            f"[dim]  interviewsense sessions show {session.id}[/]"
        )


@contextlib.contextmanager
def restore_terminal(screen: PracticeScreen) -> Any:
    try:
        yield screen
    finally:
        screen.keys.stop()
        if screen._live is not None:
            screen._live.stop()
