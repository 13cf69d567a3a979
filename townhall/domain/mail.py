"""Where sign-in mail goes: `TOWNHALL_SMTP_URL` parsed into plain values (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

# smtp://            STARTTLS when the server offers it (port 25 by default)
# smtp+starttls://   STARTTLS required (port 587 by default)
# smtps://           TLS from the first byte (port 465 by default)
TLS_MODES = {"smtp": "opportunistic", "smtp+starttls": "starttls", "smtps": "tls"}
DEFAULT_PORTS = {"opportunistic": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: str  # opportunistic, starttls or tls
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpTarget:
    """`smtp[s|+starttls]://[user[:password]@]host[:port]`; a ValueError says what is wrong."""
    parts = urlsplit(url)
    tls = TLS_MODES.get(parts.scheme.lower())
    if tls is None:
        raise ValueError("the scheme must be smtp://, smtp+starttls:// or smtps://")
    if not parts.hostname:
        raise ValueError("the URL names no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("give only user, password, host and port")
    try:
        port = parts.port or DEFAULT_PORTS[tls]
    except ValueError:
        raise ValueError("the port must be a number from 1 to 65535") from None
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )
