"""Security headers on every HTTP response (docs/architecture.md, "Security headers").

- `Content-Security-Policy`: scripts, styles and connections only from this origin (no inline
  script or style: the pages keep theirs in files under /static), no plugins, no `<base>`,
  forms post only here.
- `X-Content-Type-Options: nosniff`.
- `Referrer-Policy: no-referrer`: no address (a moderator link, a join code) leaves in a
  Referer header.
- Framing refused (`frame-ancestors 'none'` and `X-Frame-Options: DENY`), except for the
  read-only views an organiser may embed in their own site, the stage screen and the public
  schedule, which may be framed by the sources in `TOWNHALL_FRAME_ANCESTORS` (none by default);
  and the media partners' widget (`/e/{slug}/widget`, read-only, no cookie, no form), which any
  site may frame (`frame-ancestors *`, no X-Frame-Options).

Pure ASGI: the header lists are built once and appended to each response start.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# /e/{slug}/stage (the stage screen) and /s/{slug} (a series' public schedule).
EMBEDDABLE = re.compile(r"^/(?:e/[^/]+/stage|s/[^/]+)/?$")
# /e/{slug}/widget: made to be embedded by any site (docs/security.md, "Framing").
FRAMABLE_ANYWHERE = re.compile(r"^/e/[^/]+/widget/?$")
ANY_SITE = "*"

Headers = list[tuple[bytes, bytes]]


def content_security_policy(public_origin: str, frame_ancestors: str) -> str:
    parts = urlsplit(public_origin)
    socket_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",  # data: for the empty favicon (`<link rel=icon href="data:,">`)
            f"connect-src 'self' {socket_origin}",  # older browsers do not count ws: as 'self'
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors " + (frame_ancestors or "'none'"),
        )
    )


def _headers(public_origin: str, frame_ancestors: str) -> Headers:
    headers = [
        (b"content-security-policy", content_security_policy(public_origin, frame_ancestors)),
        (b"x-content-type-options", "nosniff"),
        (b"referrer-policy", "no-referrer"),
    ]
    if not frame_ancestors:
        # X-Frame-Options cannot name a list of sites; browsers that know CSP ignore it then.
        headers.append((b"x-frame-options", "DENY"))
    return [(name, value.encode("latin-1")) for name, value in headers]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, public_origin: str, frame_ancestors: str) -> None:
        self.app = app
        self._framed_nowhere = _headers(public_origin, "")
        self._embeddable = _headers(public_origin, frame_ancestors)
        self._anywhere = _headers(public_origin, ANY_SITE)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if FRAMABLE_ANYWHERE.match(path):
            extra = self._anywhere
        elif EMBEDDABLE.match(path):
            extra = self._embeddable
        else:
            extra = self._framed_nowhere

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                message["headers"] = [
                    *message.get("headers", ()),
                    *(header for header in extra if header[0] not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
