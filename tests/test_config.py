"""Settings precedence: flag > environment > .env > config.toml > defaults, with sources."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from interviewsense.config import SETTINGS, Settings, load_settings
from interviewsense.errors import BadInputError


def test_every_setting_has_a_field_with_the_same_default() -> None:
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    for s in SETTINGS:
        assert s.name in fields, s.name
        if s.default is not None:
            assert fields[s.name].default == s.default, s.name


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[stt]\nlanguage = "de"\nwhisper_model = "base.en"\n[llm]\nmodel = "from-toml"\n'
    )
    monkeypatch.setenv("INTERVIEWSENSE_CONFIG", str(cfg))
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "INTERVIEWSENSE_WHISPER_MODEL=small.en\nINTERVIEWSENSE_LLM_MODEL=from-dotenv\n"
    )
    monkeypatch.setenv("INTERVIEWSENSE_LLM_MODEL", "from-env")

    s = load_settings({"language": ("ko", "flag")}, dotenv_path=dotenv)
    assert (s.language, s.sources["language"]) == ("ko", "flag")
    assert s.llm_model == "from-env"
    assert s.sources["llm_model"] == "environment (INTERVIEWSENSE_LLM_MODEL)"
    assert s.whisper_model == "small.en" and s.sources["whisper_model"].startswith(".env")
    assert s.sources["whisper_compute_type"] == "default"

    monkeypatch.delenv("INTERVIEWSENSE_LLM_MODEL")
    dotenv.write_text("")
    s = load_settings(dotenv_path=dotenv)
    assert s.llm_model == "from-toml" and s.whisper_model == "base.en"
    assert s.sources["llm_model"] == "config.toml (llm.model)"


def test_home_override(isolated_home: Path) -> None:
    s = load_settings()
    assert s.home == isolated_home
    assert s.sessions_dir == isolated_home / "sessions"


def test_secrets_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET-123456")
    s = load_settings()
    assert "SECRET" not in str(s.public())
    assert s.secrets() == ["sk-test-SECRET-123456"]


def test_bad_values_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWSENSE_LLM_TIMEOUT", "soon")
    with pytest.raises(BadInputError, match="llm_timeout_s"):
        load_settings()
    monkeypatch.setenv("INTERVIEWSENSE_LLM_TIMEOUT", "5")
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    monkeypatch.setenv("INTERVIEWSENSE_SYNC_AUTO", "perhaps")
    with pytest.raises(BadInputError, match="sync_auto"):
        load_settings()


def test_broken_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("this is = = not toml")
    monkeypatch.setenv("INTERVIEWSENSE_CONFIG", str(cfg))
    with pytest.raises(BadInputError, match="cannot read config file"):
        load_settings()


def test_docs_list_every_setting() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "configuration.md").read_text()
    for s in SETTINGS:
        assert f"`{s.name}`" in doc, s.name
        for env in s.env:
            assert f"`{env}`" in doc, env
