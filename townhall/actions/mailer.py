"""Sending sign-in links: through SMTP with aiosmtplib, or (development only) to the log.
The texts, in the reader's language, are domain data (domain/mail_texts.py)."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from townhall.domain.mail import SmtpTarget

log = logging.getLogger(__name__)

SEND_TIMEOUT = 20.0


class MailFailed(Exception):
    """The message was not handed to the mail server."""


class Mailer(Protocol):
    async def send(self, to: str, subject: str, body: str, language: str = "en") -> None: ...


class SmtpMailer:
    """One connection per message: sign-in links are rare, and a fresh connection never
    holds a stale session the server has dropped."""

    def __init__(self, target: SmtpTarget, sender: str) -> None:
        self.target = target
        self.sender = sender

    async def send(self, to: str, subject: str, body: str, language: str = "en") -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        # Plain text (one part: any mail reader, and the tests, read the link straight out of
        # it); the language tells readers and screen readers how to speak it (RFC 3282). After
        # set_content, which clears every Content-* header.
        message.set_content(body)
        message["Content-Language"] = language
        target = self.target
        try:
            await aiosmtplib.send(
                message,
                hostname=target.host,
                port=target.port,
                username=target.username,
                password=target.password,
                use_tls=target.tls == "tls",
                start_tls=True if target.tls == "starttls" else None,
                timeout=SEND_TIMEOUT,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            log.warning("sign-in mail to the server at %s failed: %s", target.host, error)
            raise MailFailed(str(error)) from error


class LogMailer:
    """Development only (`TOWNHALL_MAIL_LOG_LINKS`): the message goes to the server's log,
    so anyone who reads the log can verify as anyone. Never in production."""

    async def send(self, to: str, subject: str, body: str, language: str = "en") -> None:
        log.warning("DEVELOPMENT ONLY, mail not sent: %s\n%s", subject, body)
