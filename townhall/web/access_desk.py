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

# A join code is shown on the stage screen, so it is no secret from the room; the limit only
# keeps a script from trying codes (31^6 of them) from afar.
CODE_TRIES = "10/minute;60/hour"


@dataclass
class AccessDesk:
    mail: MailSettings
    code_tries: TokenBuckets = field(default_factory=lambda: TokenBuckets(parse_rates(CODE_TRIES)))

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessDesk:
        mailer: Mailer | None = None
        if settings.smtp_url is not None and settings.mail_from is not None:
            mailer = SmtpMailer(parse_smtp_url(settings.smtp_url), settings.mail_from)
        elif settings.mail_log_links:
            mailer = LogMailer()
        return cls(MailSettings(mailer, settings.require_secret(), settings.public_origin))

    def allow_code_try(self, network: str, participant_id: str) -> bool:
        now = time.monotonic()
        return self.code_tries.allow(f"n:{network}", now) and self.code_tries.allow(
            f"p:{participant_id}", now
        )
