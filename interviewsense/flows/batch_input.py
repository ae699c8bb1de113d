"""Batch input: a folder of recordings, or a CSV/JSONL manifest, read into items.

A row that cannot be used (no id, nothing to score, a duplicate id, a line that is not
JSON) becomes an item that already carries its error, so it is reported as an error row
and never stops the batch.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from interviewsense.audio.urls import OTHER_SCHEME, file_uri_path, is_url, shown
from interviewsense.domain import INTERVIEW_TYPES, InterviewType
from interviewsense.errors import BadInputError
from interviewsense.fsutil import parse_json, read_text
from interviewsense.scoring.text import MAX_TYPED_CHARS, clean_text
from interviewsense.storage.blob_input import is_blob_uri

AUDIO_SUFFIXES = {
    ".wav",
    ".mp3",
    ".flac",
    ".ogg",
    ".oga",
    ".opus",
    ".m4a",
    ".aac",
    ".webm",
    ".mp4",
    ".wma",
}


@dataclass(frozen=True)
class Item:
    id: str
    position: int  # order in the input: results are written back in this order
    audio: str = ""  # a path (absolute) or a URL
    transcript: str = ""
    question: str = ""
    type: InterviewType = "behavioral"
    error: str = ""  # set when the row itself is unusable

    @property
    def source(self) -> str:
        """What the results file names as the answer's source: never a URL's credentials
        or query (a SAS token)."""
        if self.audio and is_url(self.audio):
            return shown(self.audio)
        return self.audio or ("transcript" if self.transcript else "")


def file_ids(names: list[str]) -> list[str]:
    """Ids for files by their names (relative paths): the name without its suffix, unless
    another file has the same one ("ans.wav", "ans.WAV"; "alice.mp3", "alice.m4a"), then
    the whole name: each id is one row of the results, so two files never share one."""
    from collections import Counter

    stems = [Path(name).with_suffix("").as_posix() for name in names]
    count = Counter(stems)
    return [stem if count[stem] == 1 else name for stem, name in zip(stems, names, strict=True)]


def read_blobs(prefix: str, uris: list[str], *, question: str, qtype: InterviewType) -> list[Item]:
    """Items for the blobs under an ``az://`` prefix: ids are the names below the prefix."""
    ids = file_ids([uri[len(prefix) :].lstrip("/") for uri in uris])
    return [
        Item(id=rid, position=i, audio=uri, question=question, type=qtype)
        for i, (rid, uri) in enumerate(zip(ids, uris, strict=True))
    ]


def read_folder(folder: Path, *, question: str, qtype: InterviewType) -> list[Item]:
    """The folder's audio files, at any depth. A link to a file that is gone is an item
    too, so its row says so, rather than the answer missing from the results unsaid."""
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in AUDIO_SUFFIXES
        and (p.is_file() or (p.is_symlink() and not p.exists()))
    )
    if not files:
        raise BadInputError(
            f"{folder} holds no audio files",
            hint="batch scores WAV, MP3, FLAC, OGG, M4A …; or pass a CSV/JSONL manifest",
        )
    ids = file_ids([p.relative_to(folder).as_posix() for p in files])
    return [
        Item(id=rid, position=i, audio=str(p), question=question, type=qtype)
        for i, (rid, p) in enumerate(zip(ids, files, strict=True))
    ]


# A row that was read, with its id, but cannot be scored: why, under a key no column has.
ROW_ERROR = "\0error"


def _rows(manifest: Path) -> list[tuple[int, dict[str, str] | str]]:
    """(line, row) pairs; a row that cannot be parsed is its error message instead."""
    text = read_text(manifest, "manifest", encoding="utf-8-sig")
    out: list[tuple[int, dict[str, str] | str]] = []
    if manifest.suffix.lower() in (".jsonl", ".ndjson"):
        # Only "\n" ends a JSON line: str.splitlines() would also split at U+2028, U+0085 …,
        # which JSON strings may hold as they are.
        for n, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                data = parse_json(line)
            except json.JSONDecodeError as exc:
                out.append((n, f"line {n} is not JSON ({exc.msg})"))
                continue
            if not isinstance(data, dict):
                out.append((n, f"line {n} is not a JSON object"))
                continue
            nested = next((str(k) for k, v in data.items() if isinstance(v, (dict, list))), None)
            if nested is not None:  # {"transcript": {"text": …}} is not a transcript
                why = f"line {n}: {nested} holds a JSON object or list, not text"
                rid = data.get("id")  # the row keeps its id (a review: it became line-N)
                if isinstance(rid, str | int) and not isinstance(rid, bool):
                    out.append((n, {"id": str(rid), ROW_ERROR: why}))
                else:
                    out.append((n, why))
                continue
            out.append((n, {str(k): "" if v is None else str(v) for k, v in data.items()}))
        return out
    if manifest.suffix.lower() != ".csv":
        raise BadInputError(
            f"{manifest} is neither a folder, a .csv nor a .jsonl manifest",
            hint="see docs/batch.md for the manifest format",
        )
    # The csv module finds the rows itself: a quoted field may hold a line break. Strict: a
    # quote never closed is an error, not a field that swallows every row after it.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:  # the header is read here: a quote it never closes is the same error (fuzzing)
        fields = {f.strip().lower() for f in reader.fieldnames or []}
    except csv.Error as exc:
        raise BadInputError(
            f"{manifest}: its header cannot be read ({exc}; a quote opened and never closed?)",
            hint="the first line names the columns, for example: id,audio,question,type",
        ) from None
    if "id" not in fields or not fields & {"audio", "transcript"}:
        raise BadInputError(
            f"{manifest} needs a header with id and audio or transcript columns",
            hint="for example: id,audio,question,type",
        )
    n = reader.line_num + 1  # the line a row starts on (a quoted field may span lines)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.append((n, f"line {n}: {exc} (a quote opened and never closed?); the rows "
                           "from here on are not read"))  # fmt: skip
            break
        if None in row:  # more fields than the header names: DictReader keeps them under None
            out.append((n, f"line {n} has more fields than the header (a comma in a field "
                           'that is not quoted? write it as "…, …")'))  # fmt: skip
        else:
            out.append((n, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}))
        n = reader.line_num + 1
    return out


def read_manifest(manifest: Path, *, question: str, qtype: InterviewType) -> list[Item]:
    items: list[Item] = []
    seen: set[str] = set()
    rows = _rows(manifest)
    given = {r.get("id", "").strip() for _, r in rows if not isinstance(r, str)}

    def stand_in(line: int) -> str:
        """The id of a row with none (or none readable): not one a row of the manifest has
        (each id is one row of the results)."""
        rid = f"line-{line}"
        while rid in given:
            rid += "#"
        return rid

    for position, (line, row) in enumerate(rows):
        if isinstance(row, str):
            items.append(Item(id=stand_in(line), position=position, error=row))
            continue
        rid = row.get("id", "").strip() or stand_in(line)
        audio = row.get("audio", "").strip()
        transcript = clean_text(row.get("transcript", "")).strip()
        named = row.get("type", "").strip().lower().replace(" ", "_") or qtype
        kind = next((t for t in INTERVIEW_TYPES if t == named), qtype)
        error = ""
        if not row.get("id", "").strip():
            error = f"line {line} has no id"
        elif rid in seen:
            error = f"duplicate id {rid} (line {line}); only its first row is scored"
            rid = f"{rid}#line-{line}"
        elif ROW_ERROR in row:
            error = row[ROW_ERROR]
        elif named not in INTERVIEW_TYPES:
            error = f"unknown type '{named}' (use one of {', '.join(INTERVIEW_TYPES)})"
        elif not audio and not transcript:
            has_column = "transcript" in row
            error = (  # a review: "the transcript is empty" for a row with no audio either
                "the row has no audio, and its transcript is empty"
                if has_column
                else "the row has no audio or transcript"
            )
        elif not audio and len(transcript) > MAX_TYPED_CHARS:
            error = (
                f"the transcript is {len(transcript):,} characters long; the most scored is "
                f"{MAX_TYPED_CHARS:,}"
            )
        local = file_uri_path(audio)
        if not error and local is None and OTHER_SCHEME.match(audio) and not is_url(audio):
            if not is_blob_uri(audio):
                error = (
                    f"only http(s), Azure blob and file addresses can be read, not {shown(audio)}"
                )
        if audio and not is_url(audio) and not is_blob_uri(audio):
            path = Path(local if local is not None else audio).expanduser()
            audio = str(path if path.is_absolute() else (manifest.resolve().parent / path))
        seen.add(rid)
        items.append(
            Item(
                id=rid,
                position=position,
                audio=audio,
                transcript=transcript,
                question=row.get("question", "").strip() or question,
                type=kind,
                error=error,
            )
        )
    if not items:
        raise BadInputError(
            f"{manifest} has no rows to score",
            hint="add one row per answer under the header, for example: a1,answer.wav",
        )
    return items
