"""A real SMTP server in process (aiosmtpd) that keeps what it receives, for the tests of
verified-e-mail events (the same one the integrity bench uses: townhall/bench/mail_inbox.py);
`sign_in_link` reads the link out of a received message."""

from __future__ import annotations

from email.message import Message

from townhall.bench import mail_inbox
from townhall.bench.mail_inbox import Inbox, running_inbox

__all__ = ["Inbox", "running_inbox", "sign_in_link"]


def sign_in_link(message: Message) -> str:
    link = mail_inbox.sign_in_link(message)
    assert link is not None, "no sign-in link in the message"
    return link
