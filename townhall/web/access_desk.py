"""What the participation-mode routes need from the running app: the mailer and the limits
on typing join codes (per network and per participant, so fresh cookies do not help)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from townhall.actions.access import MailSettings
from townhall.actions.mailer import LogMailer, Mailer, SmtpMailer
from townhall.domain.mail import parse_smtp_url
from townhall.domain.rates import TokenBuckets, parse_rates
from townhall.settings import Settings

# A join code is shown on the stage screen, so it is no secret from the room; the limit keeps
# a script from trying codes (31^6 of them) from afar. Only wrong codes count, so a hall of
# 300 behind one address typing the right one is never held back.
WRONG_CODES = "20/minute;200/hour"
BLOCK_SECONDS = 60.0
MAX_BLOCKED = 100_000


@dataclass
class AccessDesk:
    mail: MailSettings
    wrong_codes: TokenBuckets = field(
        default_factory=lambda: TokenBuckets(parse_rates(WRONG_CODES))
    )
    blocked_until: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessDesk:
        mailer: Mailer | None = None
        if settings.smtp_url is not None and settings.mail_from is not None:
            mailer = SmtpMailer(parse_smtp_url(settings.smtp_url), settings.mail_from)
        elif settings.mail_log_links:
            mailer = LogMailer()
        return cls(MailSettings(mailer, settings.require_secret(), settings.public_origin))

    def may_try_code(self, network: str, participant_id: str) -> bool:
        now = time.monotonic()
        return all(
            self.blocked_until.get(key, 0.0) <= now
            for key in (f"n:{network}", f"p:{participant_id}")
        )

    def wrong_code(self, network: str, participant_id: str) -> None:
        """Count a wrong code; over the limit, the network or participant waits a minute."""
        now = time.monotonic()
        if len(self.blocked_until) > MAX_BLOCKED:
            self.blocked_until = {k: t for k, t in self.blocked_until.items() if t > now}
        for key in (f"n:{network}", f"p:{participant_id}"):
            if not self.wrong_codes.allow(key, now):
                self.blocked_until[key] = now + BLOCK_SECONDS
