"""Question text: validation and normalisation (pure)."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 500
MIN_QUESTION_CHARS = 3

_SPACE = re.compile(r"\s+")
_PUNCT_RUN = re.compile(r"([?!.,;:])\1+")


class InvalidText(ValueError):
    """The text cannot be stored as a question; the message says why."""


def clean_question(text: object) -> str:
    """Return the text as it will be stored and shown, or raise InvalidText.

    Whitespace runs collapse to one space and control characters are dropped;
    the participant's wording, case and punctuation are kept otherwise.
    """
    if not isinstance(text, str):
        raise InvalidText("The question must be text.")
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = _SPACE.sub(" ", text).strip()
    if not text:
        raise InvalidText("The question is empty.")
    if len(text) < MIN_QUESTION_CHARS:
        raise InvalidText(f"The question is too short (at least {MIN_QUESTION_CHARS} characters).")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidText(
            f"The question is too long ({len(text)} characters; at most {MAX_QUESTION_CHARS})."
        )
    return text


def normalise_for_matching(text: str) -> str:
    """Lower-case, accent-preserving, punctuation-light form used for comparing questions."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCT_RUN.sub(r"\1", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return _SPACE.sub(" ", text).strip()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))
