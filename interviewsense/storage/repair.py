"""Finding and repairing sessions whose command died (SIGKILL, power loss, a full disk).

A session being written has a ``.lock`` holding the writer's pid. A lock whose process is
gone means the session was left unfinished: its WAV headers get sizes from the file
lengths (rounded down to whole frames), and its session.json is rebuilt from what exists,
with recorded answers that never got a transcript marked ``recovered``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from interviewsense.audio.recorder import inspect_wav, repair_wav
from interviewsense.domain import (
    Answer,
    Question,
    Session,
    Turn,
    from_json,
    refresh_totals,
)
from interviewsense.errors import BadInputError, ConflictError, InterviewSenseError
from interviewsense.fsutil import parse_json, storage_error
from interviewsense.storage.store import (
    LOCK_FILE,
    SESSION_FILE,
    NewerSessionError,
    SessionStore,
    now_iso,
    refuse_newer,
)

T = TypeVar("T")
Rescore = Callable[[str, Question], Answer]  # a typed answer's text and question: scored
DAMAGED_FILE = "session.damaged.json"
UNREAD_QUESTION = "(the question could not be read)"
RECOVERED_NOTE = (
    "recovered after a crash or a full disk: run 'interviewsense finalize {id}' to transcribe it"
)


class SessionBusyError(ConflictError):
    """The session is being written by a running process: it is not repaired."""


@dataclass
class RepairReport:
    session_id: str
    wavs_fixed: list[str] = field(default_factory=list)
    turns_recovered: list[int] = field(default_factory=list)
    rebuilt: bool = False
    kept: str = ""  # the damaged session.json, copied aside before it was rebuilt
    lost: list[str] = field(default_factory=list)  # what of it could not be read back
    rescored: list[int] = field(default_factory=list)  # typed answers scored again

    @property
    def changed(self) -> bool:
        return bool(self.wavs_fixed or self.turns_recovered or self.rebuilt)

    def describe(self) -> str:
        """What was done, for a person: "session.json rebuilt (…); typed answer(s) 2 scored
        again from their text; …" (``sessions repair`` and the repair every command does)."""
        parts = []
        if self.rebuilt:
            kept = f" (the damaged one is kept as {self.kept})" if self.kept else ""
            parts.append(f"session.json rebuilt{kept}")
        if self.rescored:
            parts.append(
                f"typed answer(s) {', '.join(map(str, self.rescored))} scored again from their text"
            )
        if self.lost:
            parts.append(f"could not be read back: {', '.join(self.lost)}")
        if self.wavs_fixed:
            parts.append("fixed " + ", ".join(self.wavs_fixed))
        if self.turns_recovered:
            parts.append(f"recovered answer(s) {', '.join(map(str, self.turns_recovered))}")
        return "; ".join(parts) or "marked repaired"


def process_alive(pid: int) -> bool:
    """Whether a process of this machine with that id is running."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _started_at(pid: int) -> float | None:
    """When a process started, in seconds since the epoch (Linux: /proc); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _holder(lock: Path) -> int | None:
    """The pid of the running process that wrote ``lock``, or None: no lock, no such process,
    or one that started after the lock was written (the writer died and its pid was reused:
    a review found `sessions delete` refused for ever)."""
    try:
        pid = int(lock.read_text().strip() or "0")
        written = lock.stat().st_mtime
    except (OSError, ValueError):
        return None
    if not process_alive(pid):
        return None
    started = _started_at(pid)
    return None if started is not None and started > written + 2.0 else pid


def writer(store: SessionStore, session_id: str) -> int | None:
    """The pid of another running process writing the session (a practice still
    recording it), or None."""
    pid = _holder(store.folder(session_id) / LOCK_FILE)
    return pid if pid != os.getpid() else None


def abandoned(store: SessionStore) -> list[str]:
    """Sessions with a lock whose process is gone."""
    out: list[str] = []
    if not store.root.is_dir():
        return out
    for lock in sorted(store.root.glob(f"*/{LOCK_FILE}")):
        pid = _holder(lock)
        if pid is None:
            out.append(lock.parent.name)
    return out


def _load_or_new(
    store: SessionStore,
    session_id: str,
    report: RepairReport,
    rescore: Rescore | None,
    recorded: set[int],
) -> Session:
    """The folder's session: its session.json, under the folder's id when the file names
    another session (a folder copied by hand: saving it as it was would overwrite the
    other's); else what of it still loads (``_salvage``), or a new one when it is not JSON;
    a file changed is copied aside first."""
    path = store.folder(session_id) / SESSION_FILE
    data: Any = None
    try:
        data = parse_json(path.read_text("utf-8"))
        refuse_newer(data, session_id)  # raised: its new shapes are not damage
        session = from_json(Session, data)
        if session.id != session_id:
            report.rebuilt = True
            report.kept = _keep_damaged(path)
            session.id = session_id
        return session
    except NewerSessionError:
        raise
    except (OSError, ValueError, BadInputError):
        report.rebuilt = True
        report.kept = _keep_damaged(path)
        started = _started(session_id)
        partial = False  # the file was cut inside its last turn
        if data is None:  # not JSON: cut short, it still holds what was written before
            data, at, depth = _cut_short(_text_of(path))
            if isinstance(data, dict):
                report.lost.append(f"session.json from character {at} on (cut short or damaged)")
                partial = bool(data) and list(data)[-1] == "turns" and depth >= 3
        if isinstance(data, dict):
            return _salvage(data, session_id, started, report, rescore, recorded, partial)
        return Session(id=session_id, started_at=started, status="repaired")


def _text_of(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="ignore")
    except OSError:
        return ""


CUT_TRIES = 200  # places to cut a damaged session.json back to, from its end


def _cut_short(text: str) -> tuple[Any, int, int]:
    """What a JSON document cut short or damaged still says (a disk that filled, a copy
    that stopped), where it stops, and how deep in it that is (the brackets left open): a
    whole document with something after it; else the text up to its last whole value
    before the damage, with the brackets still open closed. (None, 0, 0) when none reads."""
    import json

    start = len(text) - len(text.lstrip())
    try:
        value, end = json.JSONDecoder().raw_decode(text, start)
        return value, end, 0  # whole: only what follows it is damage
    except RecursionError:
        return None, 0, 0
    except json.JSONDecodeError as exc:
        damage = exc.pos  # the first character that does not read
    cuts: list[tuple[int, str]] = []  # (where to cut, the closers then)
    stack: list[str] = []
    in_string = escaped = False
    for i, char in enumerate(text[:damage]):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
            cuts.append((i + 1, "".join(reversed(stack))))
        elif char in "}]":
            if not stack:
                return None, 0, 0
            stack.pop()
        elif char == "," and stack:
            cuts.append((i, "".join(reversed(stack))))
    for at, closers in reversed(cuts[-CUT_TRIES:]):
        try:
            return parse_json(text[:at] + closers), at, len(closers)
        except ValueError:
            continue
    return None, 0, 0


def _started(session_id: str) -> str:
    stamp = session_id[:15]
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}"


def _field(exc: BadInputError, where: str) -> str:
    """The field of ``where`` a ``from_json`` error names ("$.turns[1].answer.scores: …",
    where "$.turns[1]", is "answer")."""
    rest = exc.message[len(where) :] if exc.message.startswith(where + ".") else ""
    return re.split(r"[.\[:]", rest[1:], maxsplit=1)[0] if rest else ""


def _loaded(
    cls: type[T], data: dict[str, Any], where: str, fill: dict[str, Any]
) -> tuple[T, list[str]]:
    """``cls`` from ``data`` with each field that does not load left out (its default), or
    set from ``fill`` when it has no default; returns it and the fields left out."""
    data, dropped = dict(data), list[str]()
    while True:
        try:
            return from_json(cls, data, where), dropped
        except BadInputError as exc:
            name = _field(exc, where)
            if not name or name in dropped:
                raise
            dropped.append(name)
            if name in fill:
                data[name] = fill[name]
            else:
                data.pop(name, None)


def _salvage(
    data: dict[str, Any],
    session_id: str,
    started: str,
    report: RepairReport,
    rescore: Rescore | None,
    recorded: set[int],
    partial: bool = False,
) -> Session:
    """What of a session.json that no longer loads still does: its settings and every turn
    that reads, a turn's question and answer apart (QA: one field of the wrong type threw
    away every typed answer). A typed answer that cannot be read is scored again from its
    text; a spoken one (a turn ``recorded`` has its answer's recording) is left to
    ``finalize``, as after a crash. ``partial``: the file was cut inside its last turn, so
    that turn's answer record is not whole and is read as damaged (a review: one cut inside
    its feedback was kept as if whole). Each loss is reported."""
    head = {k: v for k, v in data.items() if k != "turns"}  # the summary too, if it reads
    head["id"] = session_id
    if "kind" not in head and head.get("persona") == "":  # only finalize leaves it empty
        head["kind"] = "finalize"
    fill: dict[str, Any] = {"id": session_id, "started_at": started}
    try:
        session, dropped = _loaded(Session, {**head, "turns": []}, "$", fill)
    except BadInputError:
        session, dropped = Session(id=session_id, started_at=started), ["settings"]
    report.lost += [f"the session's {name}" for name in dropped if name != "id"]
    raw_turns: list[Any] = data["turns"] if isinstance(data.get("turns"), list) else []
    for n, raw in enumerate(raw_turns):
        if not isinstance(raw, dict) or "question" not in raw:  # a turn cut at its start
            report.lost.append(f"turn {n + 1}")
            continue
        cut = partial and n == len(raw_turns) - 1
        where = f"$.turns[{n}]"
        fill = {"index": n + 1, "question": {"text": UNREAD_QUESTION}}
        try:
            turn, dropped = _loaded(Turn, {k: v for k, v in raw.items() if k != "answer"}
                                    if cut else raw, where, fill)  # fmt: skip
        except BadInputError:
            report.lost.append(f"turn {n + 1}")
            continue
        if cut and "answer" in raw:
            dropped.append("answer")
        if "answer" in dropped:
            dropped.remove("answer")
            # Spoken, when its recording is there (a review: a finalize session's answer cut
            # short was "scored again from its text", its recording and voice lost).
            spoken = turn.index in recorded
            text = None if spoken else _typed_text(raw.get("answer"))
            if text is not None and rescore is not None:
                turn.answer = rescore(text, turn.question)
                turn.status = "answered"
                report.rescored.append(turn.index)
            elif not spoken:  # nothing to score it again from: said
                report.lost.append(f"answer {turn.index}")
        report.lost += [f"turn {turn.index}'s {name}" for name in dropped]
        kept = turn.answer is not None or turn.index in recorded
        if not kept and turn.question.text == UNREAD_QUESTION:  # nothing left of it
            report.lost.append(f"turn {turn.index}")
            continue
        if not kept and turn.status == "answered":
            turn.status = "unanswered"  # not "answered" with no answer (a review)
            turn.notes.append("its answer could not be read back after damage")
        session.turns.append(turn)
    return session


def _typed_text(raw: Any) -> str | None:
    """The text of a typed answer (no recording to transcribe again) in a raw answer."""
    if not isinstance(raw, dict) or raw.get("audio"):
        return None
    transcript = raw.get("transcript")
    if not isinstance(transcript, dict) or transcript.get("engine", "text") != "text":
        return None  # a recogniser's transcript: its recording is what to score again
    text = transcript.get("text")
    return text if isinstance(text, str) and text.strip() else None


def _keep_damaged(path: Path) -> str:
    """Copy a session.json that no longer loads aside (``session.damaged.json``, then
    ``session.damaged-2.json`` …) before the rebuilt one replaces it: what it still holds
    (the question, the transcript) can be read by hand. Returns the copy's name, or "" when
    there was nothing to keep."""
    if not path.is_file() or path.stat().st_size == 0:
        return ""
    n, kept = 1, path.with_name(DAMAGED_FILE)
    while kept.exists():
        n += 1
        kept = path.with_name(DAMAGED_FILE.replace(".json", f"-{n}.json"))
    try:
        shutil.copy2(path, kept)
    except OSError as exc:  # a full disk: keep the damaged file as it is, rebuild nothing
        kept.unlink(missing_ok=True)
        raise storage_error(exc, kept) from exc
    return kept.name


def repair_session(
    store: SessionStore, session_id: str, rescore: Rescore | None = None
) -> RepairReport:
    """Fix one session in place; safe to run on a healthy session (it changes nothing).
    ``rescore`` scores a typed answer again from its text when its record cannot be read."""
    report = RepairReport(session_id)
    folder = store.existing(session_id)  # never a folder made for an id that has none
    pid = writer(store, session_id)
    if pid is not None:  # a review: repair took a running practice's lock and its session
        raise SessionBusyError(
            f"session {session_id} is being recorded (process {pid}): it is not repaired",
            hint="let the session finish, or stop it, then repair it",
        )
    audio = folder / "audio"
    wavs = sorted(audio.glob("*.wav")) if audio.is_dir() else []
    recorded = {int(w.stem[1:]) for w in wavs if w.name.startswith("a") and w.stem[1:].isdigit()}
    session = _load_or_new(store, session_id, report, rescore, recorded)  # a newer one: left
    for wav in wavs:
        if repair_wav(wav):
            report.wavs_fixed.append(wav.name)
    by_index = {t.index: t for t in session.turns}
    for wav in wavs:
        if not (wav.name.startswith("a") and wav.stem[1:].isdigit()):
            continue
        index = int(wav.stem[1:])
        turn = by_index.get(index)
        if turn is not None and (turn.answer is not None or turn.status == "recovered"):
            continue  # transcribed and scored, or recovered before: nothing to do
        info = inspect_wav(wav)
        seconds = info.whole / (info.rate * info.block) if info and info.rate else 0.0
        if turn is None:
            turn = Turn(index=index, question=Question(text="(the question was not saved)"))
            session.turns.append(turn)
        turn.status = "recovered"
        turn.notes.append(RECOVERED_NOTE.format(id=session_id))
        turn.timings.setdefault("recovered_audio_s", round(seconds, 3))
        report.turns_recovered.append(index)
    session.turns.sort(key=lambda t: t.index)
    if session.status == "in_progress" or report.changed:
        session.status = "repaired"
        session.ended_at = session.ended_at or now_iso()
        # The totals follow the answers kept (a review: a report said "mean score 49" of a
        # session whose one answer repair could not read back); the rest (the closing
        # assessment) is kept as it was.
        refresh_totals(session)
    if report.changed or session.status == "repaired":
        store.save(session)
    store.release(session_id)
    return report


def repair_abandoned(store: SessionStore, rescore: Rescore | None = None) -> list[RepairReport]:
    """Repair every session left unfinished; a session that cannot be repaired is skipped
    (``sessions repair ID`` reports why). ``rescore`` as for ``repair_session``: without it a
    typed answer that cannot be read is lost (a review: every command's repair had none)."""
    reports = []
    for sid in abandoned(store):
        with contextlib.suppress(InterviewSenseError, OSError):
            reports.append(repair_session(store, sid, rescore))
    return reports
