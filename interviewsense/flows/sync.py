"""sync: copy sessions to a folder or Azure Blob Storage, by content hash.

Idempotent (identical files are skipped) and resumable (each file, and each block of a
large one, stands on its own). A session is marked synced only after every file arrived:
its audio first, then its session.json carrying the new sync state, so the two copies of
session.json are byte for byte the same. A failure leaves the session marked unsynced.
"""

from __future__ import annotations

import getpass
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path

from interviewsense.config import Settings
from interviewsense.domain import Session, SyncState
from interviewsense.errors import BadInputError, InterviewSenseError
from interviewsense.progress import Reporter
from interviewsense.storage.manifest import (
    SESSION_FILE,
    LocalFile,
    content_hash,
    file_stats,
    json_content_hash,
    needs_sync,
    session_files,
)
from interviewsense.storage.store import SessionStore, now_iso
from interviewsense.storage.sync_base import RemoteFile, SyncTarget

REPAIR = "run 'interviewsense sessions repair'"  # what a damaged session needs first


@dataclass
class SyncSummary:
    target: str
    sessions: list[str] = field(default_factory=list)
    uploaded: int = 0
    skipped: int = 0
    failed: int = 0
    bytes_sent: int = 0
    links: dict[str, list[str]] = field(default_factory=dict)
    damaged: list[str] = field(default_factory=list)  # left out: they need 'sessions repair'


@dataclass
class Difference:
    session: str
    file: str
    problem: str  # missing | size | md5


def sync_user(settings: Settings) -> str:
    """The folder for this user's sessions on the target: setting, or user@host, in
    lower-case ASCII letters, digits and ``._@-``. Accents are dropped ("José" is "jose"),
    and a name that had any character outside ASCII also gets a short hash of itself, so
    two names that fold to the same letters ("José", "Jose", "Josè"), or to none ("李雷"),
    keep folders of their own, the same however the name was typed ("JOSÉ", "José" composed or
    decomposed)."""
    import hashlib
    import unicodedata

    raw = settings.sync_user or f"{getpass.getuser()}@{socket.gethostname()}"
    plain = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9._@-]+", "-", plain.lower()).strip("-.")
    if not raw.isascii() and raw.strip():
        # The name as typed on any machine: composed or not (macOS decomposes), any case.
        same = unicodedata.normalize("NFC", raw.strip()).casefold()
        digest = hashlib.sha256(same.encode()).hexdigest()[:8]
        name = f"{name[:55]}-{digest}".strip("-")
    if not name or name in (".", ".."):
        raise BadInputError(
            f"'{raw}' cannot be used as a folder name on the sync target",
            hint="set INTERVIEWSENSE_SYNC_USER to a name of letters and digits",
        )
    return name[:64]


def make_target(spec: str, settings: Settings) -> SyncTarget:
    spec = spec or settings.sync_target
    if not spec:
        if settings.azure_storage_connection_string:
            spec = "azure"
        else:
            raise BadInputError(
                "no sync target: Azure is not configured and no folder was given",
                hint="pass --target local:PATH, or set AZURE_STORAGE_CONNECTION_STRING "
                "(docs/storage.md)",
            )
    user = sync_user(settings)
    if spec == "azure":
        from interviewsense.storage.sync_azure import AzureTarget

        return AzureTarget(settings, user)
    if spec.startswith("local:") and len(spec) > len("local:"):
        from interviewsense.storage.sync_local import LocalTarget

        root = Path(spec[len("local:") :]).expanduser()
        # Where the copies go, the user's folder in it: with a user named as the data folder,
        # the data folder's parent would be a target inside it.
        outside_data_folder(root / user, settings, "the sync target")
        return LocalTarget(root, user)
    raise BadInputError(f"unknown sync target '{spec}'", hint="use azure or local:PATH")


def outside_data_folder(folder: Path, settings: Settings, what: str) -> None:
    """Refuse a copy's folder inside the data folder: a copy there is lost with the original,
    and one inside ``sessions/`` would be read as sessions (or written over one)."""
    from interviewsense.fsutil import inside

    if inside(folder, settings.home):
        raise BadInputError(
            f"{what} {folder} is inside the data folder {settings.home}",
            hint="choose a folder outside it (another drive, a synced folder): a copy next "
            "to the original is lost with it",
        )


def pick_sessions(
    store: SessionStore,
    ids: list[str],
    reporter: Reporter | None = None,
    damaged: list[str] | None = None,
) -> list[Session]:
    """The sessions named, or every one; a damaged one among every one is named to the
    reporter (it needs 'sessions repair'), added to ``damaged`` and left out."""
    if ids:  # each once, however often it was named (QA: "synced 2 sessions" for one)
        named = {s.id: s for s in (store.load(i) for i in ids)}
        return list(named.values())
    sessions = []
    for sid in store.ids():
        try:
            sessions.append(store.load(sid))
        except InterviewSenseError as exc:
            if damaged is not None:
                damaged.append(sid)
            if reporter is not None:
                reporter.notice(f"not synced: {exc.message}; {REPAIR} and sync again")
    return sessions


def sync(
    ids: list[str], settings: Settings, reporter: Reporter, *, target_spec: str = ""
) -> SyncSummary:
    store = SessionStore(settings.sessions_dir)
    target = make_target(target_spec, settings)
    target.prepare()
    summary = SyncSummary(target=target.name)
    index = target.remote_index()
    for session in pick_sessions(store, ids, reporter, summary.damaged):
        try:
            sync_session(store, session, target, index.get(session.id, {}), reporter, summary)
        except InterviewSenseError as exc:
            done = len(summary.sessions)
            before = f" ({done} session{'s' if done != 1 else ''} synced before it)" if done else ""
            exc.message += f"; session {session.id} stays marked unsynced{before}"
            raise
    return summary


def _differs(f: LocalFile, remote: dict[str, RemoteFile]) -> bool:
    """Whether the copy is missing or not the same; one with no MD5 (a blob another tool
    wrote) cannot be shown to be, so it is sent again with one, as ``check`` asks."""
    r = remote.get(f.rel)
    return r is None or r.size != f.size or r.md5 != f.md5


def sync_session(
    store: SessionStore,
    session: Session,
    target: SyncTarget,
    remote: dict[str, RemoteFile],
    reporter: Reporter,
    summary: SyncSummary,
) -> None:
    """Bring one session up to date on the target; skip it when nothing differs."""
    folder = store.folder(session.id)
    files = session_files(folder, known=session.sync)
    pending = [f for f in files if _differs(f, remote)]
    own_ok = not _differs(_session_file(folder), remote)
    # A session last synced before stats were kept is finished once more (its session.json
    # alone goes up), so that its next sync reads no recording either (a review).
    known = session.sync.stats == file_stats(files)
    if not pending and own_ok and known and not needs_sync(session, folder, target.name, files):
        summary.skipped += len(files) + 1
        return
    summary.skipped += len(files) - len(pending)
    total = sum(f.size for f in pending)
    done = 0
    with reporter.progress(f"Syncing {session.id}", total=total or None, unit="B") as advance:

        def step(n: int) -> None:
            nonlocal done
            done += n
            advance(done)

        for f in pending:
            try:
                summary.bytes_sent += target.upload(session.id, f, step)
            except (InterviewSenseError, KeyboardInterrupt):
                summary.failed += 1
                raise
            summary.uploaded += 1

    previous = session.sync
    session.sync = SyncState(
        target=target.name,
        synced_at=now_iso(),
        files={**{f.rel: f.md5 for f in files}, SESSION_FILE: content_hash(session)},
        stats=file_stats(files),
    )
    store.save(session)
    try:
        own = _session_file(folder)
        summary.bytes_sent += target.upload(session.id, own, lambda n: None)
        target.finish(session.id, [*files, own])
    except BaseException:
        session.sync = previous  # it did not all arrive: still unsynced
        store.save(session)
        summary.failed += 1
        raise
    summary.uploaded += 1
    summary.sessions.append(session.id)
    links = [link for f in (*files, own) if (link := target.link(session.id, f.rel))]
    if links and target.name.startswith("azure:"):
        summary.links[session.id] = links


def _session_file(folder: Path) -> LocalFile:
    from interviewsense.storage.manifest import md5_file

    path = folder / SESSION_FILE
    return LocalFile(SESSION_FILE, path, path.stat().st_size, md5_file(path))


@dataclass
class Check:
    target: str
    compared: int  # sessions compared: those named, or every one with a copy on the target
    differences: list[Difference]
    damaged: list[str] = field(default_factory=list)  # not compared: 'sessions repair' first


def check(ids: list[str], settings: Settings, *, target_spec: str = "") -> Check:
    """Compare every local file with its copy on the target, by size and MD5: the sessions
    named, or else every session synced to this target (last, or at some time before:
    files of it are there)."""
    store = SessionStore(settings.sessions_dir)
    target = make_target(target_spec, settings)
    target.prepare(create=False)  # a check changes nothing, on the target either
    out = Check(target=target.name, compared=0, differences=[])
    index = target.remote_index()
    for session in pick_sessions(store, ids, damaged=out.damaged):
        if not ids and session.sync.target != target.name and session.id not in index:
            continue  # never synced here: nothing to compare
        out.compared += 1
        folder = store.folder(session.id)
        remote = index.get(session.id, {})
        for f in session_files(folder, include_session=True):
            r = remote.get(f.rel)
            if r is None:
                out.differences.append(Difference(session.id, f.rel, "missing"))
            elif (r.size, r.md5) == (f.size, f.md5):
                continue
            elif f.rel == SESSION_FILE and _same_content(target, session):
                continue  # only its sync record differs: a sync to another target since
            elif r.size != f.size:
                out.differences.append(Difference(session.id, f.rel, "size"))
            else:
                out.differences.append(Difference(session.id, f.rel, "md5"))
    return out


SESSION_JSON_LIMIT = 64 << 20  # a copy's session.json read to compare: far above any real one


def _same_content(target: SyncTarget, session: Session) -> bool:
    """Whether a copy's session.json holds the session as it is here, but for its sync
    record: after a sync to another target, this one's copy says it was synced here, and the
    local one names the other (a review: each target's copy was reported as differing)."""
    import json

    data = target.read(session.id, SESSION_FILE, SESSION_JSON_LIMIT)
    if data is None:
        return False
    try:
        copy = json.loads(data)
    except ValueError:
        return False
    return isinstance(copy, dict) and json_content_hash(copy) == content_hash(session)
