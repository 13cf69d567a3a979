"""Links into a recording at a moment (pure): where a question was taken, how far into the video.

One rule per kind of link, each documented by the player it targets:

- YouTube (`youtube.com/watch`, `youtu.be/…`, `youtube.com/live/…`): the query parameter
  `t=<seconds>`; an embed link (`/embed/…`) takes `start=<seconds>` instead.
- Vimeo (`vimeo.com/…`, `player.vimeo.com/video/…`): the fragment `#t=<seconds>s`.
- Anything else (a direct media file, UN Web TV, an archive): the W3C Media Fragments URI
  temporal dimension, `#t=<seconds>` (Media Fragments URI 1.0, section 4.2.1), which browsers
  honour for media opened directly; other fragment parts are kept.

The offset is whole seconds from the recording's start, and never negative: a question taken
before the recording began links to its start.
"""

from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MAX_URL_LENGTH = 500
_YOUTUBE = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtube-nocookie.com"}
)
_VIMEO = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})


class BadRecordingUrl(ValueError):
    """Not an absolute http or https link."""


def check_recording_url(url: str) -> str:
    """`url` trimmed, if it is an absolute http(s) link with a host (no other scheme: a
    `javascript:` link would run in the record page's origin)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        raise BadRecordingUrl("The recording's link is not a valid address.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRecordingUrl("The recording's link must start with http:// or https://.")
    if len(url) > MAX_URL_LENGTH or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise BadRecordingUrl("The recording's link is not a valid address.")
    return url


def offset_seconds(started_at: datetime, taken_at: datetime) -> int:
    """Whole seconds from the recording's start to the moment, at least 0."""
    return max(0, math.floor((taken_at - started_at).total_seconds()))


def recording_link(url: str, started_at: datetime, taken_at: datetime) -> str:
    """`url` pointing at `taken_at` (rules in the module's docstring)."""
    seconds = offset_seconds(started_at, taken_at)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in _YOUTUBE:
        name = "start" if parts.path.startswith("/embed/") else "t"
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
        query.append((name, str(seconds)))
        return urlunsplit(parts._replace(query=urlencode(query)))
    fragment = [piece for piece in parts.fragment.split("&") if piece and not _is_time(piece)]
    fragment.append(f"t={seconds}s" if host in _VIMEO else f"t={seconds}")
    return urlunsplit(parts._replace(fragment="&".join(fragment)))


def _is_time(piece: str) -> bool:
    return piece == "t" or piece.startswith("t=")
