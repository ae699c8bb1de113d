"""sync against a real Azurite and a real folder: integrity, idempotence, resuming, faults."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from azure.core.exceptions import ResourceExistsError
from typer.testing import CliRunner

from interviewsense.cli import app
from interviewsense.domain import Session, from_json
from interviewsense.errors import ExitCode
from interviewsense.storage.store import SessionStore
from tests.azurite import CONTAINER, Azurite, azure_env, blob_client, download, wait_for_blocks
from tests.helpers import make_session
from tests.practice import command


def cli(env: dict[str, str], *args: str) -> Any:
    return CliRunner().invoke(app, list(args), env=env)


def local_md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_first_sync_uploads_everything_with_the_right_md5(azurite: Azurite, tmp_path: Path) -> None:
    home = tmp_path / "home"
    ids = [make_session(home, seed=1), make_session(home, seed=2)]
    env = azure_env(azurite, home)
    result = cli(env, "sync", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert sorted(summary["sessions"]) == sorted(ids) and summary["uploaded"] == 4
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    for sid in ids:
        for rel in ("session.json", "audio/a01.wav"):
            name = f"tester/{sid}/{rel}"
            local = home / "sessions" / sid / rel
            # Download and hash: the emulator does not check Content-MD5 itself.
            assert hashlib.md5(download(azurite, name)).hexdigest() == local_md5(local)
            props = service.get_blob_client(CONTAINER, name).get_blob_properties()
            assert bytes(props.content_settings.content_md5).hex() == local_md5(local)
        saved = json.loads((home / "sessions" / sid / "session.json").read_text())
        assert saved["sync"]["target"] == f"azure:{CONTAINER}" and saved["sync"]["synced_at"]

    second = cli(env, "sync", "--json")
    assert json.loads(second.stdout)["uploaded"] == 0
    assert "nothing to sync" in second.stderr
    assert cli(env, "sync", "--check").exit_code == 0

    # A changed file goes up again; the rest is skipped.
    wav = home / "sessions" / ids[0] / "audio" / "a01.wav"
    data = bytearray(wav.read_bytes())
    data[-100:] = b"\x01" * 100
    wav.write_bytes(bytes(data))
    assert cli(env, "sync", "--check").exit_code == 1
    third = json.loads(cli(env, "sync", "--json").stdout)
    assert third["sessions"] == [ids[0]] and third["uploaded"] == 2  # the audio and session.json
    remote = download(azurite, f"tester/{ids[0]}/audio/a01.wav")
    assert hashlib.md5(remote).hexdigest() == local_md5(wav)

    # A deleted remote blob is restored.
    service.get_blob_client(CONTAINER, f"tester/{ids[1]}/audio/a01.wav").delete_blob()
    check = cli(env, "sync", "--check")
    assert check.exit_code == 1 and "missing" in check.stderr
    fourth = json.loads(cli(env, "sync", "--json").stdout)
    assert fourth["sessions"] == [ids[1]]
    assert cli(env, "sync", "--check").exit_code == 0

    listing = cli(env, "sessions", "list", "--json")
    assert all(s["synced"] for s in json.loads(listing.stdout))

    # A review: synced to a folder as well, each copy's session.json was reported as
    # differing from the other's sync record. Only the record differs: both are the session.
    assert cli(env, "sync", "--target", f"local:{tmp_path / 'drive'}").exit_code == 0
    assert cli(env, "sync", "--check").exit_code == 0


@pytest.mark.slow
def test_a_sas_for_the_container_alone_syncs_into_it(azurite: Azurite, tmp_path: Path) -> None:
    """docs/storage.md allows a SAS with read, write, create and list rights: one made for
    the container may neither make it nor read its properties (403), and was refused."""
    from azure.storage.blob import (
        BlobServiceClient,
        ContainerSasPermissions,
        generate_container_sas,
    )

    from tests.azurite import ACCOUNT, KEY

    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    with contextlib.suppress(ResourceExistsError):
        service.create_container(CONTAINER)
    sas = generate_container_sas(
        ACCOUNT, CONTAINER, account_key=KEY, expiry=datetime.now(UTC) + timedelta(hours=1),
        permission=ContainerSasPermissions(read=True, write=True, add=True, create=True,
                                           list=True),
    )  # fmt: skip
    endpoint = azurite.connection_string.split("BlobEndpoint=")[1].rstrip(";")
    home = tmp_path / "home"
    sid = make_session(home, seed=4)
    env = azure_env(azurite, home, AZURE_STORAGE_CONNECTION_STRING=(
        f"BlobEndpoint={endpoint};SharedAccessSignature={sas}"))  # fmt: skip
    result = cli({**env, "AZURE_BLOB_SAS_TTL_SECONDS": "600"}, "sync", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["sessions"] == [sid]
    assert "no links: they are signed with the account key" in result.stderr
    assert cli(env, "sync", "--check").exit_code == 0
    doctor = json.loads(cli(env, "doctor", "--json").stdout)
    azure = next(c for c in doctor["checks"] if c["name"] == "Azure sync")
    assert azure["status"] == "ok" and "is there" in azure["detail"], azure
    assert sas.split("sig=")[1][:10] not in result.stderr + json.dumps(doctor)
    # A blob with no MD5 (another tool wrote it) is not shown to be the same: the check and
    # sync agree on it (sync said "nothing to sync" while the check said "md5", for ever).
    blob = blob_client(azurite, f"tester/{sid}/audio/a01.wav")
    blob.stage_block("b0", (home / "sessions" / sid / "audio/a01.wav").read_bytes())
    blob.commit_block_list(["b0"])
    assert not blob.get_blob_properties().content_settings.content_md5
    assert cli(env, "sync", "--check").exit_code == 1
    again = json.loads(cli(env, "sync", "--json").stdout)
    assert again["sessions"] == [sid] and again["uploaded"] >= 1
    assert cli(env, "sync", "--check").exit_code == 0


@pytest.mark.slow
def test_sas_links_are_read_only_and_start_in_the_past(azurite: Azurite, tmp_path: Path) -> None:
    home = tmp_path / "home"
    sid = make_session(home, seed=3)
    env = azure_env(azurite, home, AZURE_BLOB_SAS_TTL_SECONDS="600")
    result = cli(env, "sync", "--json")
    links = json.loads(result.stdout)["links"][sid]
    audio = next(link for link in links if "a01.wav" in link)
    query = parse_qs(urlsplit(audio).query)
    assert query["sp"] == ["r"]
    start = datetime.strptime(query["st"][0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    expiry = datetime.strptime(query["se"][0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    now = datetime.now(UTC)
    assert timedelta(minutes=14) <= now - start <= timedelta(minutes=16)
    assert timedelta(seconds=590) <= expiry - now <= timedelta(seconds=610)
    got = httpx.get(audio, timeout=10)
    assert got.status_code == 200
    assert hashlib.md5(got.content).hexdigest() == local_md5(
        home / "sessions" / sid / "audio/a01.wav"
    )
    assert (
        httpx.put(audio, content=b"x", headers={"x-ms-blob-type": "BlockBlob"}).status_code == 403
    )
    assert azurite.connection_string.split("AccountKey=")[1].split(";")[0] not in result.stderr


@pytest.mark.slow
def test_killed_mid_upload_then_resumed(azurite: Azurite, tmp_path: Path) -> None:
    home = tmp_path / "home"
    sid = make_session(home, seconds=1300, seed=4)  # about 40 MB of audio
    wav = home / "sessions" / sid / "audio" / "a01.wav"
    assert wav.stat().st_size > 20 * 1024 * 1024
    before = local_md5(wav)
    env = dict(os.environ, **azure_env(azurite, home))
    proc = subprocess.Popen(
        command("sync"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_blocks(blob_client(azurite, f"tester/{sid}/audio/a01.wav"), 2)
    azurite.kill()  # in the middle of the upload
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 5, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "unsynced" in errors[0] and "Traceback" not in stderr
    store = SessionStore(home / "sessions")
    session = store.load(sid)  # still complete locally
    assert local_md5(wav) == before
    assert session.sync.synced_at == ""  # and marked unsynced
    assert not json.loads(cli(env, "sessions", "list", "--json").stdout)[0]["synced"]

    azurite.start()
    result = cli(azure_env(azurite, home), "sync", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["sessions"] == [sid]
    assert cli(azure_env(azurite, home), "sync", "--check").exit_code == 0
    assert hashlib.md5(download(azurite, f"tester/{sid}/audio/a01.wav")).hexdigest() == before


@pytest.mark.slow
def test_an_interrupted_sync_resumes_where_it_stopped(azurite: Azurite, tmp_path: Path) -> None:
    """SIGKILL the sync itself mid-upload: the blocks Azure already holds are not sent again."""
    import signal

    home = tmp_path / "home"
    sid = make_session(home, seconds=1300, seed=7)
    wav = home / "sessions" / sid / "audio" / "a01.wav"
    env = dict(os.environ, **azure_env(azurite, home))
    proc = subprocess.Popen(
        command("sync"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    blob = blob_client(azurite, f"tester/{sid}/audio/a01.wav")
    staged = wait_for_blocks(blob, 3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert staged >= 3
    result = cli(azure_env(azurite, home), "sync", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["bytes_sent"] <= wav.stat().st_size - 3 * 4 * 1024 * 1024 + 10_000
    assert cli(azure_env(azurite, home), "sync", "--check").exit_code == 0
    assert hashlib.md5(download(azurite, f"tester/{sid}/audio/a01.wav")).hexdigest() == local_md5(
        wav
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("conn", "container", "code", "needle"),
    [
        ("AccountName;AccountKey=SUPERSECRETKEY==", CONTAINER, 1, "malformed"),
        # QA: a key that is not base64 was reported as Azure refusing it (Azure never saw it)
        ("AccountName=x;AccountKey=SUPERSECRETKEY!!", CONTAINER, 1, "AccountKey is not base64"),
        (
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
            + base64.b64encode(b"SUPERSECRETKEY-wrong").decode()
            + ";BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
            CONTAINER,
            5,
            "refused",
        ),
        (None, "Bad_Container!", 1, "not a valid Azure container name"),
        # A password in the endpoint's URL is a secret too (QA: it was shown in the error).
        (
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=S0VZS0VZ;"
            "BlobEndpoint=http://user:SUPERSECRETPW@127.0.0.1:1/devstoreaccount1;",
            CONTAINER,
            5,
            "could not reach Azure Blob Storage at http://127.0.0.1:1/devstoreaccount1",
        ),
    ],
)
def test_bad_settings_give_one_line_and_no_secret(
    azurite: Azurite, tmp_path: Path, conn: str | None, container: str, code: int, needle: str
) -> None:
    home = tmp_path / "home"
    make_session(home, seed=5)
    env = azure_env(azurite, home, AZURE_STORAGE_CONTAINER=container)
    if conn is not None:
        env["AZURE_STORAGE_CONNECTION_STRING"] = conn.replace("{port}", str(azurite.port))
    proc = subprocess.run(
        command("sync"),
        env=dict(os.environ, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == code, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and needle in errors[0], proc.stderr
    secret = env["AZURE_STORAGE_CONNECTION_STRING"].split("AccountKey=")[1].split(";")[0]
    assert secret not in proc.stderr + proc.stdout
    assert "SUPERSECRET" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_server_that_never_answers_fails_in_seconds(tmp_path: Path) -> None:
    """QA: an endpoint that takes the connection and never answers kept sync silent for
    191 s (a transfer's read timeout, three times); the first call waits OPEN_TIMEOUT_S."""
    from interviewsense.storage.sync_azure import OPEN_TIMEOUT_S

    home = tmp_path / "home"
    sid = make_session(home, seed=9)
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        conn = (
            "DefaultEndpointsProtocol=http;AccountName=x;AccountKey=S0VZ;"
            f"BlobEndpoint=http://127.0.0.1:{port}/x"
        )
        env = {"INTERVIEWSENSE_HOME": str(home), "AZURE_STORAGE_CONNECTION_STRING": conn}
        started = time.monotonic()
        result = cli(env, "sync")
        took = time.monotonic() - started
    assert result.exit_code == ExitCode.SERVICE, result.stderr
    assert "could not reach Azure Blob Storage" in result.stderr and "S0VZ" not in result.stderr
    assert took < OPEN_TIMEOUT_S + 10, took
    session = json.loads((home / "sessions" / sid / "session.json").read_text())
    assert not session["sync"]["synced_at"]  # nothing recorded as copied


def test_sync_to_a_folder(tmp_path: Path) -> None:
    home, target = tmp_path / "home", tmp_path / "drive"
    sid = make_session(home, seed=6)
    env = {"INTERVIEWSENSE_HOME": str(home), "INTERVIEWSENSE_SYNC_USER": "me"}
    first = cli(env, "sync", "--target", f"local:{target}", "--json")
    assert first.exit_code == 0, first.stderr
    copy = target / "me" / sid
    for rel in ("session.json", "audio/a01.wav"):
        assert local_md5(copy / rel) == local_md5(home / "sessions" / sid / rel)
        assert (copy / rel).stat().st_mode & 0o777 == 0o600
    manifest = json.loads((copy / "manifest.json").read_text())
    assert manifest["audio/a01.wav"]["md5"] == local_md5(copy / "audio/a01.wav")
    assert not list(copy.rglob("*.tmp"))
    assert (
        json.loads(cli(env, "sync", "--target", f"local:{target}", "--json").stdout)["uploaded"]
        == 0
    )
    assert cli(env, "sync", "--target", f"local:{target}", "--check").exit_code == 0
    (copy / "audio" / "a01.wav").unlink()
    differs = cli(env, "sync", "--target", f"local:{target}", "--check")
    # QA: the hint said "run 'interviewsense sync'", which has no target without the flag.
    assert differs.exit_code == 1 and f"sync --target local:{target}'" in differs.stderr
    # QA: synced since to a second folder, a session was no longer compared with the first,
    # which then read "in sync" whatever was missing there.
    second = tmp_path / "second"
    assert cli(env, "sync", "--target", f"local:{second}").exit_code == 0
    still = cli(env, "sync", "--target", f"local:{target}", "--check", "--json")
    assert still.exit_code == 1 and json.loads(still.stdout)["compared"] >= 1
    empty = cli(env, "sync", "--target", f"local:{tmp_path / 'never'}", "--check", "--json")
    assert empty.exit_code == 0 and json.loads(empty.stdout)["compared"] == 0
    assert "nothing to compare: no session has been synced to" in empty.stderr


def test_two_targets_each_hold_the_session(tmp_path: Path) -> None:
    """A review: after a sync to a second folder, the first one's session.json was reported
    as differing (it records the sync to the first, the local one the second). A copy is
    compared by what it holds, its sync record aside; a change in the session still shows."""
    home = tmp_path / "home"
    sid = make_session(home, seed=7)
    env = {"INTERVIEWSENSE_HOME": str(home), "INTERVIEWSENSE_SYNC_USER": "me"}
    one, two = f"local:{tmp_path / 'one'}", f"local:{tmp_path / 'second'}"  # names of two sizes
    for spec in (one, two):
        assert cli(env, "sync", "--target", spec).exit_code == 0
    for spec in (one, two):
        checked = cli(env, "sync", "--target", spec, "--check", "--json")
        assert checked.exit_code == 0, checked.stdout
    path = home / "sessions" / sid / "session.json"
    data = json.loads(path.read_text())
    data["turns"][0]["question"]["text"] += " (edited)"
    path.write_text(json.dumps(data))
    differs = cli(env, "sync", "--target", one, "--check", "--json")
    assert differs.exit_code == 1
    found = json.loads(differs.stdout)["differences"]
    assert [d["file"] for d in found] == ["session.json"], found


def test_a_sync_with_nothing_new_reads_no_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review: a sync with nothing to copy read every recording of every session, twice,
    to hash it. A file whose size and mtime are as last synced keeps its MD5; one that
    changed is read and copied again."""
    from interviewsense.storage import manifest

    home, target = tmp_path / "home", tmp_path / "drive"
    sid = make_session(home, seed=9)
    env = {"INTERVIEWSENSE_HOME": str(home), "INTERVIEWSENSE_SYNC_USER": "me"}
    assert cli(env, "sync", "--target", f"local:{target}").exit_code == 0
    read: list[str] = []
    real = manifest.md5_file

    def counted(path: Path) -> str:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(manifest, "md5_file", counted)
    again = cli(env, "sync", "--target", f"local:{target}", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["uploaded"] == 0
    assert read == ["session.json"], read  # compared with its copy: no recording read
    wav = home / "sessions" / sid / "audio" / "a01.wav"
    with wav.open("r+b") as fh:  # the same size, new bytes: its mtime moves
        fh.seek(100)
        fh.write(b"\x01\x02")
    read.clear()
    changed = cli(env, "sync", "--target", f"local:{target}", "--json")
    assert changed.exit_code == 0 and json.loads(changed.stdout)["uploaded"] >= 1
    assert "a01.wav" in read
    copy = target / "me" / sid / "audio" / "a01.wav"
    assert local_md5(copy) == local_md5(wav)
    assert cli(env, "sync", "--target", f"local:{target}", "--check").exit_code == 0
    # A session last synced before stats were kept: its next sync sends session.json alone
    # and records them, and the one after reads no recording (a review of the first version:
    # the stats were never written for a session with nothing new).
    path = home / "sessions" / sid / "session.json"
    data = json.loads(path.read_text())
    del data["sync"]["stats"]
    path.write_text(json.dumps(data))
    monkeypatch.setattr(manifest, "md5_file", real)
    cli(env, "sync", "--target", f"local:{target}")  # the edit above: session.json goes up
    data = json.loads(path.read_text())
    del data["sync"]["stats"]
    path.write_text(json.dumps(data))
    (target / "me" / sid / "session.json").write_bytes(path.read_bytes())  # as if in sync
    upgraded = cli(env, "sync", "--target", f"local:{target}", "--json")
    assert json.loads(upgraded.stdout)["uploaded"] == 1, upgraded.stdout  # session.json
    assert json.loads(path.read_text())["sync"]["stats"]
    monkeypatch.setattr(manifest, "md5_file", counted)
    read.clear()
    assert (
        json.loads(cli(env, "sync", "--target", f"local:{target}", "--json").stdout)["uploaded"]
        == 0
    )
    assert read == ["session.json"], read


def test_sync_to_a_relative_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA: `--target local:backup` copied one session, then failed as a bug (exit 70): a
    relative path has no file URI. It is the folder under the current one, named whole."""
    home = tmp_path / "home"
    ids = [make_session(home, seed=7), make_session(home, seed=8)]
    monkeypatch.chdir(tmp_path)
    env = {"INTERVIEWSENSE_HOME": str(home), "INTERVIEWSENSE_SYNC_USER": "me"}
    first = cli(env, "sync", "--target", "local:backup", "--json")
    assert first.exit_code == 0, first.stderr
    assert sorted(p.name for p in (tmp_path / "backup" / "me").iterdir()) == sorted(ids)
    saved = json.loads((home / "sessions" / ids[0] / "session.json").read_text())
    assert saved["sync"]["target"] == f"local:{(tmp_path / 'backup').resolve()}"
    again = cli(env, "sync", "--target", "local:backup", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["uploaded"] == 0
    twice = cli(env, "sync", ids[0], ids[0], "--target", "local:other", "--json")
    assert json.loads(twice.stdout)["sessions"] == [ids[0]]  # QA: "synced 2 session(s)"


def test_what_sync_leaves_out_and_where_it_will_not_copy(tmp_path: Path) -> None:
    """A damaged session is named, not skipped in silence; a copy inside the data folder (or
    onto a file) is refused, and export says "export folder", not "sync target"."""
    home, target = tmp_path / "home", tmp_path / "drive"
    sid = make_session(home, seed=7)
    damaged = home / "sessions" / "20261202-000000-abcdef"
    damaged.mkdir()
    (damaged / "session.json").write_text("{half")
    env = {"INTERVIEWSENSE_HOME": str(home), "INTERVIEWSENSE_SYNC_USER": "me"}
    result = cli(env, "sync", "--target", f"local:{target}", "--json")
    assert result.exit_code == ExitCode.PARTIAL, result.stderr  # the others are synced
    assert "not synced: session 20261202-000000-abcdef is damaged" in result.stderr
    assert "sessions repair" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["sessions"] == [sid] and summary["damaged"] == [damaged.name]
    assert (target / "me" / sid / "session.json").is_file()
    assert not (target / "me" / damaged.name).exists()
    # The check names it too; one nested too deeply to read is damaged as well (it was a
    # RecursionError, a bug's exit for every command that read it).
    (damaged / "session.json").write_text("[" * 100_000 + "]" * 100_000)
    checked = cli(env, "sync", "--check", "--target", f"local:{target}", "--json")
    assert checked.exit_code == ExitCode.BAD_INPUT, checked.stderr
    assert json.loads(checked.stdout)["damaged"] == [damaged.name]
    assert "1 damaged session(s) could not be compared" in checked.stderr
    assert cli(env, "sessions", "list").exit_code == 0
    # A check copies nothing and makes nothing: not even the folder it compares with.
    elsewhere = tmp_path / "typo" / "drive"
    missing = cli(env, "sync", "--check", "--target", f"local:{elsewhere}", "--json")
    assert json.loads(missing.stdout)["compared"] == 0 and not elsewhere.parent.exists()
    # The copies go to the user's folder in the target: named as the data folder, the data
    # folder's parent is a target inside it.
    as_home = cli({**env, "INTERVIEWSENSE_SYNC_USER": "home"}, "sync", "--target",
                  f"local:{tmp_path}")  # fmt: skip
    assert as_home.exit_code == 1 and "is inside the data folder" in as_home.stderr
    assert not (home / sid).exists()
    for args, needle in (
        (("sync", "--target", f"local:{home / 'backup'}"), "the sync target"),
        (("sessions", "export", sid, "--out", str(home / "sessions")), "the export folder"),
    ):
        refused = cli(env, *args)
        assert refused.exit_code == 1, refused.stderr
        assert f"{needle} " in refused.stderr and "is inside the data folder" in refused.stderr
    assert not (home / "backup").exists()
    assert sorted(p.name for p in (home / "sessions").iterdir()) == sorted([sid, damaged.name])
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    refused = cli(env, "sessions", "export", sid, "--out", str(a_file))
    assert refused.exit_code == 1
    assert "the export folder" in refused.stderr and "is a file" in refused.stderr
    assert "sync target" not in refused.stderr and a_file.read_text() == "mine"


def test_auto_sync_after_practice(tmp_path: Path) -> None:
    home, target = tmp_path / "home", tmp_path / "drive"
    env = {
        "INTERVIEWSENSE_HOME": str(home),
        "INTERVIEWSENSE_SYNC_AUTO": "1",
        "INTERVIEWSENSE_SYNC_TARGET": f"local:{target}",
        "INTERVIEWSENSE_SYNC_USER": "me",
    }
    result = CliRunner().invoke(
        app,
        ["practice", "--keyboard", "--no-voice", "-n", "1", "--no-follow-ups", "--json"],
        input="I led the migration at my last job.\n",
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["sync"]["target"] == f"local:{target}" and data["sync"]["synced_at"]
    assert (target / "me" / data["id"] / "session.json").is_file()


def test_auto_sync_failure_never_loses_the_session(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        "INTERVIEWSENSE_HOME": str(home),
        "INTERVIEWSENSE_SYNC_AUTO": "1",
        "AZURE_STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=http;AccountName=x;"
        "AccountKey=eA==;BlobEndpoint=http://127.0.0.1:9/x;",
    }
    result = CliRunner().invoke(
        app,
        ["practice", "--keyboard", "--no-voice", "-n", "1", "--no-follow-ups", "--json"],
        input="I led the migration at my last job.\n",
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    assert "auto-sync failed" in result.stderr and "interviewsense sync" in result.stderr
    data = json.loads(result.stdout)
    assert data["sync"]["synced_at"] == ""
    saved = from_json(
        Session, json.loads((home / "sessions" / data["id"] / "session.json").read_text())
    )
    assert saved.turns[0].answer is not None


def test_settings_come_from_the_isolated_home(isolated_home: Path) -> None:
    """What sync reads is conftest's isolated data folder, never the developer's."""
    from interviewsense.config import load_settings

    settings = load_settings()
    assert settings.home == isolated_home
    assert settings.sources["home"] == "environment (INTERVIEWSENSE_HOME)"
    assert settings.azure_storage_connection_string == ""
    assert settings.sync_target == ""
    assert settings.config_file == isolated_home.parent / "no-config.toml"
    assert not settings.config_file.exists()


def test_a_connection_string_is_checked_before_azure_is_asked() -> None:
    from interviewsense.errors import BadInputError
    from interviewsense.storage.azure_settings import parse_connection_string

    with pytest.raises(BadInputError, match="AccountKey is not base64") as raised:
        parse_connection_string("AccountName=x;AccountKey=NOT-BASE64-SECRET!!")
    assert "NOT-BASE64" not in str(raised.value) + (raised.value.hint or "")
    # Azurite's shortcut, which the SDK accepts, stays accepted.
    assert parse_connection_string("UseDevelopmentStorage=true") == {
        "UseDevelopmentStorage": "true"
    }
