"""Settings: read once from TOWNHALL_* variables, every one documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from townhall.settings import PROJECT_ROOT, Settings, SettingsError


def _env_names() -> set[str]:
    source = (PROJECT_ROOT / "townhall" / "settings.py").read_text()
    return {
        f"TOWNHALL_{name}"
        for name in re.findall(
            r'get\("([A-Z_]+)"\)|(?:number|rate|one_rate|flag|choice|networks|sources|threshold)\(\s*"([A-Z_]+)"',
            source,
        )
        for name in name
        if name
    }


def test_settings_every_variable_is_documented() -> None:
    documented = set(
        re.findall(
            r"`(TOWNHALL_[A-Z_]+)`", (PROJECT_ROOT / "docs" / "configuration.md").read_text()
        )
    )

    names = _env_names()

    assert len(names) >= len(dataclasses.fields(Settings))
    assert names - documented == set()


def test_settings_from_env_reads_values() -> None:
    settings = Settings.from_env(
        {
            "TOWNHALL_DATABASE_URL": "postgresql+asyncpg://db/townhall",
            "TOWNHALL_REDIS_URL": "redis://cache:6379/0",
            "TOWNHALL_SECRET_KEY": "s" * 32,
            "TOWNHALL_PUBLIC_ORIGIN": "https://townhall.example.org/",
            "TOWNHALL_MODEL_PATH": "/models/minilm",
            "TOWNHALL_TICK_SECONDS": "0.25",
            "TOWNHALL_BATCH_FLUSH_SECONDS": "0.02",
            "TOWNHALL_SWITCH_INTERVAL_MS": "2",
            "TOWNHALL_VOTE_BATCH_SIZE": "2000",
        }
    )

    assert (settings.database_url, settings.redis_url, settings.public_origin) == (
        "postgresql+asyncpg://db/townhall",
        "redis://cache:6379/0",
        "https://townhall.example.org",
    )
    assert (settings.model_path, settings.tick_seconds) == (Path("/models/minilm"), 0.25)
    assert (settings.batch_flush_seconds, settings.vote_batch_size) == (0.02, 2000)
    assert settings.switch_interval_ms == 2


def test_settings_defaults_to_sqlite_under_var() -> None:
    assert Settings.from_env({}).database_url == "sqlite+aiosqlite:///var/townhall.db"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TOWNHALL_TICK_SECONDS": "soon"}, "TOWNHALL_TICK_SECONDS must be a number"),
        ({"TOWNHALL_OUTBOX_LIMIT": "-1"}, "TOWNHALL_OUTBOX_LIMIT must be positive"),
        ({"TOWNHALL_VOTE_BATCH_SIZE": "0"}, "TOWNHALL_VOTE_BATCH_SIZE must be positive"),
        ({"TOWNHALL_VOTE_BATCH_SIZE": "20000"}, "TOWNHALL_VOTE_BATCH_SIZE must be at most 10000"),
        ({"TOWNHALL_PUBLIC_ORIGIN": "townhall.org"}, "TOWNHALL_PUBLIC_ORIGIN must start with"),
    ],
)
def test_settings_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_settings_short_secret_refused() -> None:
    with pytest.raises(SettingsError, match="TOWNHALL_SECRET_KEY"):
        Settings(secret_key="short").require_secret()


def test_settings_mail_needs_a_sender_and_a_usable_url() -> None:
    secret = {"TOWNHALL_SECRET_KEY": "s" * 32}
    settings = Settings.from_env(
        {**secret, "TOWNHALL_SMTP_URL": "smtps://h", "TOWNHALL_MAIL_FROM": "TH <th@example.org>"}
    )

    assert (settings.smtp_url, settings.mail_from) == ("smtps://h", "TH <th@example.org>")
    with pytest.raises(SettingsError, match="TOWNHALL_MAIL_FROM"):
        Settings.from_env({**secret, "TOWNHALL_SMTP_URL": "smtps://h"})
    with pytest.raises(SettingsError, match="TOWNHALL_SMTP_URL"):
        Settings.from_env(
            {**secret, "TOWNHALL_SMTP_URL": "imap://h", "TOWNHALL_MAIL_FROM": "a@b.org"}
        )


def test_settings_body_cap_and_frame_ancestors() -> None:
    settings = Settings.from_env(
        {
            "TOWNHALL_MAX_BODY_BYTES": "32768",
            "TOWNHALL_FRAME_ANCESTORS": "  https://un.example.org   https://*.un.example 'self' ",
        }
    )

    assert (settings.max_body_bytes, settings.frame_ancestors) == (
        32768,
        "https://un.example.org https://*.un.example 'self'",
    )
    assert (Settings().max_body_bytes, Settings().frame_ancestors) == (65_536, "")


@pytest.mark.parametrize(
    "value",
    [
        "https://a.example; script-src *",  # would add a directive
        "https://a.example,https://b.example",
        "'unsafe-inline'",
        "javascript:",
        "https://a.example\r\nSet-Cookie: x=1",
    ],
)
def test_settings_frame_ancestors_refuses_what_is_not_a_source(value: str) -> None:
    with pytest.raises(SettingsError, match="TOWNHALL_FRAME_ANCESTORS"):
        Settings.from_env({"TOWNHALL_FRAME_ANCESTORS": value})
