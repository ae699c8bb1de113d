"""Batch results on disk: CSV (key scores flattened into columns) or JSONL (full answer JSON).

Rows are appended and fsynced one by one; a row cut short by a crash is dropped when the
file is opened again. ``finish`` rewrites the file atomically in input order.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from interviewsense.errors import BadInputError, StorageError
from interviewsense.fsutil import (
    FILE_MODE,
    atomic_write_bytes,
    ensure_dir,
    parse_json,
    storage_error,
)

COLUMNS = (
    "id", "status", "error", "question", "type", "source", "duration_s", "overall", "band",
    "content", "delivery", "voice", "wpm", "fillers", "fillers_per_min", "fillers_per_100_words",
    "long_pauses", "hedges", "repetitions", "star_situation", "star_task", "star_action",
    "star_result", "specificity", "ownership_i_share", "relevance", "word_count",
    "pitch_sd_semitones", "monotone", "loudness_sd_db", "caps", "missing", "feedback",
    "transcript",
)  # fmt: skip


FIELD_LIMIT = 1 << 30  # a transcript of hours is one field: the csv module's default is 128 KB


# A spreadsheet runs a cell that starts with one of these as a formula: a manifest's id, a
# question or an answer from a web form could run one on the coach's machine. Such text, and
# any that starts with the quote itself (so reading back is exact), is written after a "'",
# which a spreadsheet shows as text and hides.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_TEXT_COLUMNS = ("id", "question", "error", "feedback", "transcript", "source")


def as_text(value: str) -> str:
    """``value`` as a CSV cell a spreadsheet will not run."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def from_text(value: str) -> str:
    """A cell ``as_text`` wrote, as it was."""
    return value[1:] if value.startswith("'") else value


# The columns a recording measures: left empty when it could not be measured (a transcript
# has no audio; a typed answer no word times), and then named in ``missing``.
MEASURED_COLUMNS = (
    "duration_s", "voice", "wpm", "fillers_per_min", "long_pauses",
    "pitch_sd_semitones", "monotone", "loudness_sd_db",
)  # fmt: skip


def _num(value: Any) -> str:
    return "" if value is None else str(value)


def flatten(row: dict[str, Any]) -> dict[str, str]:
    """A result row as CSV columns; metrics that could not be measured stay empty."""
    out = dict.fromkeys(COLUMNS, "")
    out.update(id=str(row["id"]), status=str(row["status"]), error=str(row["error"]))
    a = row.get("answer")
    if not a:
        return out
    s = a["scores"]
    d, c, v = s["delivery"], s["content"], s["voice"]
    info = a.get("question_info") or {}
    out.update(
        question=a["question"], type=str(info.get("type", "")),
        source=(a.get("audio") or {}).get("source", "") or "transcript",
        duration_s=_num((a.get("audio") or {}).get("duration_s")),
        overall=str(s["overall"]), band=s["band"], content=_num(c["score"]),
        delivery=_num(d["score"]), voice=_num(v["score"]), wpm=_num(d["wpm"]),
        fillers=str(d["fillers"]["count"]), fillers_per_min=_num(d["fillers"]["per_min"]),
        fillers_per_100_words=_num(d["fillers"]["per_100_words"]),
        long_pauses="" if "long_pauses" in d["missing"] else str(len(d["long_pauses"])),
        hedges=str(d["hedges"]["count"]), repetitions=str(len(d["repetitions"])),
        star_situation=str(c["star"]["situation"]["found"]).lower(),
        star_task=str(c["star"]["task"]["found"]).lower(),
        star_action=str(c["star"]["action"]["found"]).lower(),
        star_result=str(c["star"]["result"]["found"]).lower(),
        specificity=str(c["specificity"]["count"]),
        ownership_i_share=_num(c["ownership"]["i_share"]),
        relevance=_num(c["relevance"]["share"]), word_count=str(c["word_count"]),
        pitch_sd_semitones=_num(v["pitch_sd_semitones"]),
        monotone="" if v["monotone"] is None else str(v["monotone"]).lower(),
        loudness_sd_db=_num(v["loudness_sd_db"]),
        caps=";".join(cap["name"] for cap in s.get("caps", [])),
        feedback=" | ".join(a["feedback"]),
        transcript=a["transcript"]["text"],
    )  # fmt: skip
    out["missing"] = ";".join(c for c in MEASURED_COLUMNS if not out[c])
    return out


def safe_cells(row: dict[str, str]) -> dict[str, str]:
    return {k: as_text(v) if k in _TEXT_COLUMNS else v for k, v in row.items()}


class ResultsFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".jsonl"):
            raise BadInputError(
                f"results go to a .csv or .jsonl file, not {path.name}",
                hint="for example --out results.csv",
            )
        self.kind = suffix[1:]
        self._fh: IO[str] | None = None
        # Why finish could not put the rows in input order (they are all there, whole).
        self.unordered = ""

    # --- reading --------------------------------------------------------------------------
    def _complete_records(self) -> tuple[list[str], int]:
        """The file's complete records as written (a CSV file's header first), and the bytes
        they take: a record cut short by a crash is not one. Records end at "\n" only: a
        question may hold U+2028 or a form feed (JSONL keeps them raw), and a CSV field a
        line break inside its quotes."""
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        lines = [line + "\n" for line in data[:end].decode("utf-8").split("\n")[:-1]]
        if self.kind == "jsonl":
            return lines, end
        records: list[str] = []
        taken: list[str] = []
        read = 0  # lines the reader has taken
        done = 0  # bytes up to the end of the last whole record (blank lines included)

        def feed() -> Iterator[str]:
            nonlocal read
            for line in lines:
                read += 1
                taken.append(line)
                yield line

        csv.field_size_limit(FIELD_LIMIT)
        try:
            for row in csv.reader(feed(), strict=True):  # reads no further than its record
                record = "".join(taken)
                if row:  # a blank line is no record
                    records.append(record)
                done += len(record.encode("utf-8"))
                taken.clear()
        except csv.Error as exc:
            if read < len(lines):  # not a record cut short at the end: never rewrite it
                raise StorageError(
                    f"{self.path} cannot be read back after its record {len(records)} ({exc})",
                    hint="it is left as it is; write the results to another --out",
                ) from exc
            # else the last record ends inside its quotes: cut short by a crash
        return records, done

    def _records(self, records: list[str]) -> list[tuple[str, dict[str, Any]]]:
        """(record as written, row) pairs; rows have id, status, error and overall."""
        out: list[tuple[str, dict[str, Any]]] = []
        if self.kind == "jsonl":
            for line in records:
                try:
                    row = parse_json(line)
                except json.JSONDecodeError:
                    continue
                ok = isinstance(row, dict) and "id" in row
                if ok:
                    overall = (row.get("answer") or {}).get("scores", {}).get("overall")
                    out.append((line, {**row, "overall": overall}))
            return out
        parsed = csv.DictReader(io.StringIO("".join(records), newline=""))
        for record, row in zip(records[1:], parsed, strict=True):
            row = {k: from_text(v) if k in _TEXT_COLUMNS and v else v for k, v in row.items()}
            out.append(
                (record, {**row, "overall": float(row["overall"]) if row.get("overall") else None})
            )
        return out

    def _is_results(self, records: list[str]) -> bool:
        """Whether the complete records are (the start of) a results file with today's
        columns: resuming anything else would mix its lines into ours."""
        if not records:
            return True
        if self.kind == "csv":
            return records[0] == self._header()
        rows = []
        for line in records:
            with contextlib.suppress(json.JSONDecodeError):
                rows.append(parse_json(line))
        return bool(rows) and all(
            isinstance(r, dict) and {"id", "status"} <= r.keys() for r in rows
        )

    # --- writing --------------------------------------------------------------------------
    def open(self, *, resume: bool, overwrite: bool) -> set[str]:
        """Start or continue the file; returns the ids it already holds."""
        ensure_dir(self.path.parent)
        exists = self.path.exists() and self.path.stat().st_size > 0
        if exists and not resume and not overwrite:
            raise BadInputError(
                f"{self.path} already exists",
                hint="add --resume to continue it, or --overwrite to start again",
            )
        done: set[str] = set()
        try:
            if exists and resume:
                records, end = self._complete_records()
                if not self._is_results(records):
                    raise BadInputError(
                        f"{self.path} is not a results file of this version of "
                        "interviewsense batch, so there is nothing to resume",
                        hint="choose another --out (or --overwrite to replace that file)",
                    )
                with self.path.open("r+b") as fh:
                    fh.truncate(end)  # drop a row cut short by a crash
                # The ids whose last row is scored: a failed one (a file that was missing, a
                # server that was down) is tried again, and its new row replaces the old.
                last = {str(row["id"]): str(row["status"]) for _, row in self._records(records)}
                done = {item for item, status in last.items() if status == "ok"}
                self._fh = self.path.open("a", encoding="utf-8", newline="")
                if self.kind == "csv" and not records:
                    self._write(self._header())
            else:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
                self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
                if self.kind == "csv":
                    self._write(self._header())
        except OSError as exc:
            raise storage_error(exc, self.path) from exc
        return done

    def _header(self) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(COLUMNS)
        return buf.getvalue()

    def _line(self, row: dict[str, Any]) -> str:
        if self.kind == "jsonl":
            return json.dumps(row, ensure_ascii=False) + "\n"
        buf = io.StringIO()
        # Every field quoted: the csv module leaves a lone "\r" unquoted, which it then
        # cannot read back.
        csv.DictWriter(buf, COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(
            safe_cells(flatten(row))
        )
        return buf.getvalue()

    def _write(self, text: str) -> None:
        assert self._fh is not None
        try:
            self._fh.write(text)
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise storage_error(exc, self.path) from exc

    def append(self, row: dict[str, Any]) -> None:
        self._write(self._line(row))

    def finish(self, order: dict[str, int]) -> list[dict[str, Any]]:
        """Rewrite the file in input order (atomically), one row an id; returns its rows."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        latest = {
            str(row["id"]): (record, row)
            for record, row in self._records(self._complete_records()[0])
        }  # one row an id: the last written (a retried item's replaces its failure)
        rows = list(latest.values())
        rows.sort(key=lambda r: (order.get(str(r[1]["id"]), len(order)), str(r[1]["id"])))
        head = self._header() if self.kind == "csv" else ""
        text = head + "".join(record for record, _ in rows)
        try:
            atomic_write_bytes(self.path, text.encode("utf-8"))
        except StorageError as exc:  # a full disk: the rows are all there, as they came
            self.unordered = exc.message
        return [row for _, row in rows]
