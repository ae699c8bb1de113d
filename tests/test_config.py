"""Settings precedence: flag > environment > .env > config.toml > defaults, with sources."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from interviewsense.config import SETTINGS, Settings, load_settings
from interviewsense.errors import BadInputError
from tests.llm_server import free_port


def _every_command() -> Iterator[Any]:
    from interviewsense.cli import app
    from interviewsense.cli._app import COMMANDS

    root: Any = typer.main.get_command(app)
    yield root
    todo = [root.commands[name] for name in COMMANDS]
    while todo:
        command = todo.pop()
        yield command
        if hasattr(command, "commands"):  # a group
            todo.extend(command.commands.values())


def test_every_setting_is_one_declaration() -> None:
    """The dataclass field is the setting: SETTINGS derives from it, with its type."""
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    assert [s.name for s in SETTINGS] == [n for n in fields if n not in ("sources", "config_file")]
    for s in SETTINGS:
        assert s.kind in (str, int, float, bool, Path), s.name
        assert isinstance(s.default, s.kind), s.name
        assert s.env and s.toml and s.help, s.name


def test_command_flags_derive_from_the_settings() -> None:
    """No command reads the environment itself (that is how practice once preferred
    OPENAI_BASE_URL while doctor preferred INTERVIEWSENSE_LLM_BASE_URL): a flag named after
    a setting carries that setting's flags, and load_settings alone reads variables."""
    by_name = {s.name: s for s in SETTINGS}
    seen: set[str] = set()
    for command in _every_command():
        for param in command.params:
            assert not param.envvar, f"{command.name} --{param.name} reads {param.envvar}"
            if param.name in by_name:
                seen.add(param.name)
                flags = by_name[param.name].flags
                declared = [f for flag in flags for f in flag.split("/")]
                assert [*param.opts, *param.secondary_opts] == declared, param.name
    assert seen == {s.name for s in SETTINGS if s.flags}, "a declared flag no command has"


@pytest.mark.slow
def test_every_command_resolves_the_llm_server_alike(tmp_path: Path) -> None:
    """Both variables set to different servers: doctor and practice use the same one,
    INTERVIEWSENSE_LLM_BASE_URL, and --llm-base-url beats both."""
    ours, generic, flag = (f"http://127.0.0.1:{free_port()}/v1" for _ in range(3))
    env = {**os.environ, "INTERVIEWSENSE_LLM_BASE_URL": ours, "OPENAI_BASE_URL": generic}
    env |= {"OPENAI_API_KEY": "sk-test", "INTERVIEWSENSE_LLM_RETRIES": "0"}
    exe = str(Path(sys.executable).with_name("interviewsense"))

    doctor = subprocess.run(
        [exe, "doctor", "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    assert json.loads(doctor.stdout)["settings"]["llm_base_url"] == ours

    def practice(*extra: str) -> str:
        args = [exe, "practice", "--keyboard", "--no-voice", "-n", "1", *extra]
        done = subprocess.run(
            args, env=env, input="q\n", capture_output=True, text=True, timeout=120
        )
        return done.stderr

    said = practice()
    assert ours in said and generic not in said
    said = practice("--llm-base-url", flag)
    assert flag in said and ours not in said


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


def test_a_password_or_key_in_an_llm_url_is_never_shown(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    """QA: doctor's table and "could not connect to …" printed the whole OPENAI_BASE_URL,
    password and ``api-key`` query included."""
    from typer.testing import CliRunner

    from interviewsense.cli import app

    url = f"http://SECRET0:pw-SECRET1@127.0.0.1:{free_port()}/v1?api-key=SECRET2"
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    s = load_settings()
    assert s.public()["llm_base_url"].startswith("http://127.0.0.1:")
    assert {"SECRET0", "pw-SECRET1", "SECRET2"} <= set(s.secrets())
    for args in (["doctor", "--json"], ["doctor"], ["practice", "--keyboard", "--llm", "on"]):
        result = CliRunner().invoke(app, args, input="q\n")
        said = result.stdout + result.stderr
        assert "127.0.0.1" in said, said  # the server is still named
        assert "SECRET" not in said, said


def test_bad_values_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWSENSE_LLM_TIMEOUT", "soon")
    with pytest.raises(BadInputError, match="llm_timeout_s"):
        load_settings()
    monkeypatch.setenv("INTERVIEWSENSE_LLM_TIMEOUT", "5")
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    monkeypatch.setenv("INTERVIEWSENSE_SYNC_AUTO", "perhaps")
    with pytest.raises(BadInputError, match="sync_auto"):
        load_settings()
    monkeypatch.delenv("INTERVIEWSENSE_SYNC_AUTO")
    # QA found these passed as numbers: nan reached the answer's JSON as NaN, -1 a timeout
    # as "the server is not answering".
    for name, bad in (("INTERVIEWSENSE_PAUSE_THRESHOLD", "nan"),
                      ("INTERVIEWSENSE_HTTP_TIMEOUT", "-1"),
                      ("INTERVIEWSENSE_LLM_RETRIES", "-3"),
                      ("INTERVIEWSENSE_TURN_MAX_PAUSE", "inf")):  # fmt: skip
        monkeypatch.setenv(name, bad)
        with pytest.raises(BadInputError, match="not a number of 0 or more"):
            load_settings()
        monkeypatch.delenv(name)
    assert load_settings().llm_timeout_s == 5.0


def test_broken_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("this is = = not toml")
    monkeypatch.setenv("INTERVIEWSENSE_CONFIG", str(cfg))
    with pytest.raises(BadInputError, match="cannot read config file"):
        load_settings()
    cfg.write_text("[llm]\nretries = inf\n")  # int(inf) overflows: still one clear line
    with pytest.raises(BadInputError, match="llm_retries"):
        load_settings()
    cfg.write_bytes(b'[sync]\ntarget = "local:/tmp/\xff"\n')  # was a bug's exit (70)
    with pytest.raises(BadInputError, match="not UTF-8"):
        load_settings()
    dotenv = tmp_path / ".env"
    dotenv.write_bytes(b"AZURE_STORAGE_CONTAINER=\xff\n")
    cfg.write_text("")
    with pytest.raises(BadInputError, match="not UTF-8"):
        load_settings(dotenv_path=dotenv)
    dotenv.unlink()
    # TOML's own types are not read as something else (QA: 0.5 jobs ran 0, true a TTL of
    # 1 s, home = "" made the folder you run from the data folder, a list a target).
    monkeypatch.delenv("INTERVIEWSENSE_HOME")  # the file's home is read (nothing is written)
    for text, name, kind in (
        ("[serve]\njobs = 0.5", "serve_jobs", "a whole number"),
        ("[sync]\nsas_ttl_seconds = true", "azure_blob_sas_ttl_seconds", "a whole number"),
        ('home = ""', "home", "a path"),
        ('[sync]\ntarget = ["local:/tmp/a"]', "sync_target", "text"),
    ):
        cfg.write_text(text + "\n")
        with pytest.raises(BadInputError, match=f"{name} from .* which is not {kind}"):
            load_settings()
    cfg.write_text("[serve]\njobs = 2.0\n")
    assert load_settings().serve_jobs == 2
    # A share link's life has a cap (QA: 10^12 s uploaded, then crashed making the link).
    cfg.write_text("[sync]\nsas_ttl_seconds = 1000000000000\n")
    with pytest.raises(BadInputError, match="links last at most 604800 s"):
        load_settings()


def test_config_keys_no_setting_reads_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo in config.toml is named, with the key it was probably meant to be, instead of
    quietly leaving the default in place."""
    cfg = tmp_path / "config.toml"
    monkeypatch.setenv("INTERVIEWSENSE_CONFIG", str(cfg))
    cfg.write_text('[stt]\nlanguage = "de"\nwhisper_modle = "base"\n')
    with pytest.raises(BadInputError, match="sets stt.whisper_modle") as caught:
        load_settings()
    assert str(caught.value.hint).startswith("did you mean stt.whisper_model?")
    cfg.write_text('[stt]\nlanguage = "de"\n[colours]\ntheme = 1\n')  # nothing near
    with pytest.raises(BadInputError, match="colours.theme") as caught:
        load_settings()
    assert "did you mean" not in str(caught.value.hint)
    cfg.write_text('[stt]\nlanguage = "de"\n')
    assert load_settings().language == "de"


def test_the_documented_example_config_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every key of docs/configuration.md's example is a setting (unknown keys are refused)."""
    import re

    doc = (Path(__file__).parent.parent / "docs" / "configuration.md").read_text()
    example = re.search(r"## Example `config.toml`\n\n```toml\n(.*?)```", doc, re.S)
    assert example is not None
    cfg = tmp_path / "config.toml"
    cfg.write_text(example.group(1))
    monkeypatch.setenv("INTERVIEWSENSE_CONFIG", str(cfg))
    s = load_settings()
    assert s.sources["whisper_model"] == "config.toml (stt.whisper_model)"
    assert s.sources["input_device"] == "config.toml (audio.input_device)"


@pytest.mark.parametrize(("given", "kept"), [("EN", "en"), ("pt_BR", "pt-br"), ("yue", "yue")])
def test_a_language_is_a_code(given: str, kept: str) -> None:
    assert load_settings({"language": (given, "flag")}).language == kept


@pytest.mark.parametrize("bad", ["english", "e n", "", "en-", "12"])
def test_a_language_that_is_not_a_code_is_refused(bad: str) -> None:
    with pytest.raises(BadInputError, match="language from flag .* not a language code"):
        load_settings({"language": (bad, "flag")})


def test_docs_list_every_setting() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "configuration.md").read_text()
    for s in SETTINGS:
        assert f"`{s.name}`" in doc, s.name
        for env in s.env:
            assert f"`{env}`" in doc, env


def test_a_pause_threshold_under_0_3_s_is_refused_wherever_it_comes_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """QA: --pause-threshold said "0 means the rubric's value" and refused 0 (its minimum was
    0.3), while INTERVIEWSENSE_PAUSE_THRESHOLD=0.1 was taken."""
    assert load_settings({"pause_threshold_s": (0.0, "flag")}).pause_threshold_s == 0.0
    assert load_settings({"pause_threshold_s": (0.5, "flag")}).pause_threshold_s == 0.5
    with pytest.raises(BadInputError, match="from --pause-threshold is 0.1 s") as err:
        load_settings({"pause_threshold_s": (0.1, "flag")})
    assert err.value.hint and "0 for the rubric" in err.value.hint
    monkeypatch.setenv("INTERVIEWSENSE_PAUSE_THRESHOLD", "0.1")
    with pytest.raises(BadInputError, match="INTERVIEWSENSE_PAUSE_THRESHOLD"):
        load_settings()


def test_a_bad_flag_is_named_as_typed() -> None:
    """QA: "turn_max_pause_s from flag is -1.0 ... fix it in flag"."""
    with pytest.raises(BadInputError, match="from --max-pause is -1.0") as err:
        load_settings({"turn_max_pause_s": (-1.0, "flag")})
    assert err.value.hint is not None and "--max-pause" in err.value.hint


def test_a_config_path_that_is_a_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review pointed INTERVIEWSENSE_CONFIG at the folder that held config.toml: every
    setting in it was dropped, and doctor said "(not found: the defaults apply)"."""
    (tmp_path / "config.toml").write_text('language = "de"\n')
    monkeypatch.setenv("INTERVIEWSENSE_CONFIG", str(tmp_path))
    with pytest.raises(BadInputError, match="is a folder") as raised:
        load_settings()
    assert str(tmp_path / "config.toml") in (raised.value.hint or "")


def test_an_llm_mode_that_is_none_is_named_where_it_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review: mode = "maybe" in config.toml passed doctor, and practice then blamed
    the --llm flag for it."""
    cfg = tmp_path / "config.toml"
    cfg.write_text('[llm]\nmode = "maybe"\n')
    monkeypatch.setenv("INTERVIEWSENSE_CONFIG", str(cfg))
    with pytest.raises(BadInputError, match=r"llm from config.toml \(llm.mode\) is 'maybe'"):
        load_settings()
    monkeypatch.setenv("INTERVIEWSENSE_LLM", "ON")
    assert load_settings().llm == "on"  # any case, as before


def test_a_typo_in_dotenv_is_named_as_in_config_toml(tmp_path: Path) -> None:
    """A review: INTERVIEWSENSE_LLM_MODLE in .env was ignored without a word, where the same
    typo in config.toml is refused; another tool's names in the file are its own."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("INTERVIEWSENSE_LLM_MODLE=x\nOTHER_TOOL=1\n")
    with pytest.raises(BadInputError, match="sets INTERVIEWSENSE_LLM_MODLE") as raised:
        load_settings(dotenv_path=dotenv)
    assert "did you mean INTERVIEWSENSE_LLM_MODEL?" in (raised.value.hint or "")
    # A name near no setting is another tool's (a review of the first version: a project's
    # INTERVIEWSENSE_API_URL stopped every command); the config path cannot be set there.
    dotenv.write_text("INTERVIEWSENSE_LLM_MODEL=x\nOTHER_TOOL=1\nINTERVIEWSENSE_API_URL=y\n")
    assert load_settings(dotenv_path=dotenv).llm_model == "x"
    dotenv.write_text(f"INTERVIEWSENSE_CONFIG={tmp_path / 'c.toml'}\n")
    with pytest.raises(BadInputError, match=".env cannot set"):
        load_settings(dotenv_path=dotenv)
