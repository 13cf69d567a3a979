"""TOWNHALL_SMTP_URL parsed into host, port, TLS mode and login."""

from __future__ import annotations

import pytest

from townhall.domain.mail import SmtpTarget, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("smtp://mail.example.org", SmtpTarget("mail.example.org", 25, "opportunistic")),
        (
            "smtp+starttls://user%40x:p%3Ass@mail.example.org",
            SmtpTarget("mail.example.org", 587, "starttls", "user@x", "p:ss"),
        ),
        ("smtps://mail.example.org:2465", SmtpTarget("mail.example.org", 2465, "tls")),
    ],
)
def test_parse_smtp_url_reads_each_tls_mode(url: str, target: SmtpTarget) -> None:
    assert parse_smtp_url(url) == target


@pytest.mark.parametrize(
    "url", ["http://mail.example.org", "smtp://", "smtp://h:99999", "smtp://h/path"]
)
def test_parse_smtp_url_refuses_what_it_cannot_use(url: str) -> None:
    with pytest.raises(ValueError):
        parse_smtp_url(url)
