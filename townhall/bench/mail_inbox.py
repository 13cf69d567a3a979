"""A real SMTP server in process (aiosmtpd, the `bench` and `test` extras) that keeps what it
receives: the integrity bench's verified participants read their sign-in link from it, as
the e-mail tests do (tests/smtp_inbox.py)."""

from __future__ import annotations

import asyncio
import contextlib
import email
import re
import socket
import threading
from collections.abc import Iterator
from email.message import Message
from typing import Any

LINK = re.compile(r"(https?://\S+#verify=\S+)")


class Inbox:
    """An aiosmtpd handler keeping every message it accepts (aiosmtpd runs it in its thread)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int, seconds: float = 10.0) -> list[Message]:
        for _ in range(max(1, int(seconds / 0.025))):
            if len(self.messages) >= count:
                break
            await asyncio.sleep(0.025)
        return self.messages

    async def message_to(self, address: str, seconds: float = 20.0) -> Message | None:
        """The first message received for `address`, waiting up to `seconds`."""
        for _ in range(max(1, int(seconds / 0.025))):
            with self._lock:
                found = [m for m in self.messages if m["To"] == address]
            if found:
                return found[0]
            await asyncio.sleep(0.025)
        return None

    @property
    def smtp_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@contextlib.contextmanager
def running_inbox() -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller  # bench/test extra: only when a bench runs

    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        inbox.port = int(sock.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def sign_in_link(message: Message) -> str | None:
    body = message.get_payload(decode=True)
    if not isinstance(body, bytes):
        return None
    found = LINK.search(body.decode("utf-8"))
    return found.group(1) if found else None
