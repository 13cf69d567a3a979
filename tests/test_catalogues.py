"""The UI's message catalogues: French is as complete as English."""

from __future__ import annotations

import re

from townhall.settings import PROJECT_ROOT

MESSAGES = PROJECT_ROOT / "frontend" / "js" / "messages"


def _keys(language: str) -> set[str]:
    return set(re.findall(r"^  (\w+):", (MESSAGES / f"{language}.js").read_text(), re.MULTILINE))


def test_catalogues_french_and_english_have_the_same_keys() -> None:
    english, french = _keys("en"), _keys("fr")

    assert len(english) > 100
    assert (english - french, french - english) == (set(), set())


def test_catalogues_name_every_refusal_of_the_invitation_list() -> None:
    # The organiser console shows `org_err_<code>`, else the server's English message;
    # `invalid` carries the line at fault in its message, shown as it is.
    source = (PROJECT_ROOT / "townhall" / "actions" / "invitations.py").read_text()
    codes = set(re.findall(r'ActionRefused\(\s*"(\w+)"', source)) - {"invalid"}

    assert codes
    assert {code for code in codes if f"org_err_{code}" not in _keys("en")} == set()
