"""batch --ray on a real two-node Ray cluster (tests/ray_cluster.py), started once here:
the same file as --workers 1, a node killed mid-batch with nothing lost or doubled, and
az:// input from Azurite."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import speech
from tests.azurite import Azurite

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).with_name("interviewsense"))
TOPICS = [
    "a migration to a new platform",
    "a release checklist",
    "a flaky test suite",
    "an angry customer",
    "a missed deadline",
    "a new hire I mentored",
    "a cost review",
    "a security incident",
    "a slow database query",
    "a team disagreement about design",
]


ANSWERS = 12  # in the cohort: two workers, a node killed after 4 written, a resume from half


@pytest.fixture(scope="module")
def starting() -> Iterator[subprocess.Popen[str]]:
    """The cluster, starting: it comes up while the cohort is made and scored locally."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "ray_cluster.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def cluster(
    starting: subprocess.Popen[str], local_result: bytes
) -> tuple[str, subprocess.Popen[str]]:
    """The cluster's address, once it is up."""
    assert starting.stdout is not None
    address = starting.stdout.readline().strip()
    assert address, "the Ray cluster did not start"
    return address, starting


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ANSWERS`` spoken answers and a manifest naming them."""
    folder = tmp_path_factory.mktemp("cohort")
    lines = ["id,audio,question,type"]
    for i in range(ANSWERS):
        topic = TOPICS[i % len(TOPICS)]
        text = (
            f"I handled {topic}. I talked to the people involved, I wrote down a plan, "
            f"and within {i + 2} weeks the problem was solved."
        )
        speech.espeak(text, folder / f"a{i:02d}.wav", wpm=170 + 3 * i)
        lines.append(f"a{i:02d},a{i:02d}.wav,Tell me about {topic},behavioral")
    (folder / "cohort.csv").write_text("\n".join(lines) + "\n")
    return folder / "cohort.csv"


def batch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, "batch", *args], env=env, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def local_result(cohort: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("local") / "results.jsonl"
    done = batch(dict(os.environ), str(cohort), "--out", str(out), "--workers", "1")
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_the_cluster_gives_the_local_file(
    cluster: tuple[str, subprocess.Popen[str]], cohort: Path, local_result: bytes, tmp_path: Path
) -> None:
    out = tmp_path / "results.jsonl"
    done = batch(dict(os.environ), str(cohort), "--out", str(out), "--ray", cluster[0], "--json")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == local_result
    assert json.loads(done.stdout)["done"] == ANSWERS
    events = [json.loads(line) for line in done.stderr.splitlines()]  # --json: all JSON
    assert {"event": "notice", "message": "Ray: 2 workers on 2 node(s), 1 thread(s) each"} in events
    progress = [e for e in events if e["event"] == "progress"]
    assert progress[-1]["done"] == progress[-1]["total"] == ANSWERS
    assert [e["done"] for e in progress] == sorted(e["done"] for e in progress)
    rows = [json.loads(line) for line in local_result.splitlines()]
    assert len(rows) == ANSWERS and all(r["status"] == "ok" for r in rows)


def test_resume_across_engines(
    cluster: tuple[str, subprocess.Popen[str]], cohort: Path, local_result: bytes, tmp_path: Path
) -> None:
    """Half the rows from a local run, the rest from the cluster: the same file."""
    out = tmp_path / "results.jsonl"
    half = ANSWERS // 2
    out.write_bytes(b"".join(local_result.splitlines(keepends=True)[:half]))
    done = batch(dict(os.environ), str(cohort), "--out", str(out), "--ray", cluster[0], "--resume")
    assert done.returncode == 0, done.stderr
    assert f"{half} already done" in done.stderr
    assert out.read_bytes() == local_result


def test_az_input_from_azurite(
    cluster: tuple[str, subprocess.Popen[str]], cohort: Path, tmp_path: Path
) -> None:
    from azure.storage.blob import BlobServiceClient, ContentSettings

    az = Azurite().start()
    try:
        container = BlobServiceClient.from_connection_string(az.connection_string).create_container(
            "recordings"
        )
        for i in range(3):
            data = (cohort.parent / f"a{i:02d}.wav").read_bytes()
            md5 = hashlib.md5(data).digest()
            container.upload_blob(
                f"week-12/a{i:02d}.wav", data, content_settings=ContentSettings(content_md5=md5)
            )
        damaged = (cohort.parent / "a03.wav").read_bytes()
        blob = container.upload_blob("week-12/damaged.wav", damaged)
        # As if the bytes changed after upload: the MD5 Azure holds no longer matches.
        blob.set_http_headers(ContentSettings(content_md5=hashlib.md5(b"other").digest()))
        container.upload_blob("week-12/notes.txt", b"not audio")
        container.upload_blob("week-13/a09.wav", damaged)
        env = {**os.environ, "AZURE_STORAGE_CONNECTION_STRING": az.connection_string}
        out = tmp_path / "results.jsonl"
        done = batch(env, "az://recordings/week-12/", "--out", str(out), "--ray", cluster[0])
        assert done.returncode == 3, done.stderr  # one item failed, the rest are complete
        rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
        assert sorted(rows) == ["a00", "a01", "a02", "damaged"]
        assert all(rows[f"a0{i}"]["status"] == "ok" for i in range(3))
        assert rows["a00"]["answer"]["audio"]["source"] == "az://recordings/week-12/a00.wav"
        assert "arrived damaged" in rows["damaged"]["error"]
        expected = base64.b64encode(hashlib.md5(b"other").digest()).decode()
        assert expected in rows["damaged"]["error"]
        assert "AccountKey" not in done.stderr + out.read_text()
    finally:
        az.stop()


def test_a_node_killed_mid_batch_loses_and_doubles_nothing(
    cluster: tuple[str, subprocess.Popen[str]], cohort: Path, local_result: bytes, tmp_path: Path
) -> None:
    """Runs last: it leaves the cluster with one node."""
    address, proc = cluster
    out = tmp_path / "results.jsonl"
    run = subprocess.Popen(
        [EXE, "batch", str(cohort), "--out", str(out), "--ray", address],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and run.poll() is None:
        if out.exists() and len(out.read_bytes().splitlines()) >= 4:
            break
        time.sleep(0.1)
    assert run.poll() is None, "the batch ended before the node could be killed"
    proc.send_signal(signal.SIGUSR1)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "killed"
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    assert "died" in err and "1 of 2 workers live" in err  # the lost item was retried
    assert out.read_bytes() == local_result


def test_without_ray_one_line_says_what_to_install(cohort: Path, tmp_path: Path) -> None:
    """A machine without the extra: a ``ray`` package that cannot be imported stands in."""
    shim = tmp_path / "shim" / "ray"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError('No module named ray')\n")
    env = {**os.environ, "PYTHONPATH": str(shim.parent)}
    done = batch(env, str(cohort), "--out", str(tmp_path / "r.jsonl"), "--ray", "auto")
    assert done.returncode == 4, done.stderr  # a missing dependency
    assert "pip install 'interviewsense[cluster]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r.jsonl").exists() or not (tmp_path / "r.jsonl").read_text()


def test_a_cluster_that_is_not_there(cohort: Path, tmp_path: Path) -> None:
    """And --overwrite leaves the old results as they were: nothing was scored (a review:
    the file was emptied to its header, and the next run then refused it)."""
    out = tmp_path / "r.jsonl"
    out.write_text('{"id": "earlier", "status": "ok"}\n')
    done = batch(dict(os.environ), str(cohort), "--out", str(out),
                 "--ray", "127.0.0.1:9", "--overwrite")  # fmt: skip
    assert done.returncode == 5, done.stderr  # a service that failed
    assert "could not connect to the Ray cluster at 127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_text() == '{"id": "earlier", "status": "ok"}\n'
