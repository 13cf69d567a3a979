"""A real SMTP server in process (aiosmtpd) that keeps what it receives, for the tests of
verified-e-mail events; `sign_in_link` reads the link out of a received message."""

from __future__ import annotations

import asyncio
import contextlib
import email
import re
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int) -> list[Message]:
        for _ in range(400):
            if len(self.messages) >= count:
                break
            await asyncio.sleep(0.025)
        return self.messages

    @property
    def smtp_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@contextlib.contextmanager
def running_inbox() -> Iterator[Inbox]:
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


def sign_in_link(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(r"(http://\S+#verify=\S+)", body.decode("utf-8"))
    assert found is not None, "no sign-in link in the message"
    return found.group(1)
