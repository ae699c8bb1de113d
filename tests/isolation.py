"""The environment a test (and every process it starts) runs in: nothing from the developer's
shell that interviewsense reads, no config file, no downloads, its own data folder.

A developer's real ``OPENAI_API_KEY``, ``AZURE_*`` or ``INTERVIEWSENSE_*`` settings, and their
``~/.config/interviewsense/config.toml``, must never change what a test does, nor reach a
server a test starts. conftest.py's ``isolated_home`` applies this to ``os.environ``; the
helpers that start subprocesses (tests/practice.py, tests/vmic.py) build from it too, so a
fixture made before ``isolated_home`` ran (a module- or session-scoped one) cannot carry the
outer environment along.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

# Families of variables that configure interviewsense or the services it talks to; the
# variables Settings declares (interviewsense/config.py) are dropped too, whatever their name.
PREFIXES = ("INTERVIEWSENSE_", "OPENAI_", "AZURE_")


def setting_variables() -> set[str]:
    """Every environment variable a setting is read from, as config.py declares them."""
    from interviewsense.config import SETTINGS

    return {name for s in SETTINGS for name in s.env}


def clean_environ(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default ``os.environ``) without any variable that configures interviewsense."""
    names = setting_variables()
    source = os.environ if base is None else base
    return {k: v for k, v in source.items() if k not in names and not k.startswith(PREFIXES)}


def isolated_vars(home: Path, config: Path) -> dict[str, str]:
    """What every test sets: its data folder, a config file that does not exist, offline."""
    return {
        "INTERVIEWSENSE_HOME": str(home),
        "INTERVIEWSENSE_CONFIG": str(config),
        "INTERVIEWSENSE_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
    }


def subprocess_env(
    home: Path, audio: Mapping[str, str] | None = None, **extra: str
) -> dict[str, str]:
    """The environment for an ``interviewsense`` subprocess: the clean one, the data folder
    ``home`` (its config file, ``home``'s sibling ``no-config.toml``, does not exist),
    ``audio`` (a virtual microphone's variables, or none), then ``extra``."""
    env = clean_environ()
    env.update(isolated_vars(home, home.parent / "no-config.toml"))
    env.pop("PULSE_SERVER", None)  # the sound server is the one in ``audio``, or none
    env.update(audio or {})
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env
