"""Links into a recording: the rule per player, whole seconds, never negative."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from townhall.domain.recording import (
    BadRecordingUrl,
    check_recording_url,
    offset_seconds,
    recording_link,
)

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_offset_seconds_whole_seconds_from_the_start() -> None:
    assert offset_seconds(START, START + timedelta(minutes=8, seconds=5.9)) == 485


def test_offset_seconds_before_the_recording_is_zero() -> None:
    assert offset_seconds(START, START - timedelta(minutes=3)) == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/watch?v=abc123", "https://www.youtube.com/watch?v=abc123&t=90"),
        ("https://youtu.be/abc123?t=5", "https://youtu.be/abc123?t=90"),
        ("https://www.youtube.com/embed/abc123", "https://www.youtube.com/embed/abc123?start=90"),
        ("https://vimeo.com/76979871", "https://vimeo.com/76979871#t=90s"),
        ("https://media.un.org/en/asset/k1d/k1d0", "https://media.un.org/en/asset/k1d/k1d0#t=90"),
        ("https://example.org/talk.mp4#t=10,20", "https://example.org/talk.mp4#t=90"),
        ("https://example.org/a.webm#xywh=1,2,3,4", "https://example.org/a.webm#xywh=1,2,3,4&t=90"),
    ],
)
def test_recording_link_follows_each_players_rule(url: str, expected: str) -> None:
    assert recording_link(url, START, START + timedelta(seconds=90)) == expected


def test_recording_link_before_the_start_points_at_zero() -> None:
    link = recording_link("https://youtu.be/abc", START, START - timedelta(seconds=30))

    assert link == "https://youtu.be/abc?t=0"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://example.org/x", "//example.org/x", "https://", "data:,x", ""],
)
def test_check_recording_url_refuses_other_schemes(url: str) -> None:
    with pytest.raises(BadRecordingUrl):
        check_recording_url(url)


def test_check_recording_url_trims() -> None:
    assert check_recording_url("  https://example.org/v  ") == "https://example.org/v"
