"""Question text: validation and normalisation (pure)."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 500
MIN_QUESTION_CHARS = 3

_SPACE = re.compile(r"\s+")
_PUNCT_RUN = re.compile(r"([?!.,;:])\1+")


# Longest run of combining marks (Unicode categories Mn, Mc, Me) kept after one base character.
# Real writing needs at most 3 or 4 after NFC: Arabic with full vowels 2 (shadda + vowel),
# Hindi 2 (nukta + virama, or a vowel sign + candrabindu), Thai 2 (vowel + tone mark),
# Vietnamese 0 (NFC composes its letters; 2 when written decomposed), Hebrew with points and
# cantillation 3 to 4 (dagesh + shin dot + vowel + accent), Tibetan stacks 3. "Zalgo" text
# stacks dozens or hundreds to paint over the lines around it on every screen.
MAX_COMBINING_MARKS = 4


def tame_marks(text: str) -> str:
    """NFC, then each run of combining marks cut to MAX_COMBINING_MARKS (the first ones kept).

    For every piece of user text that reaches a screen: questions, names, titles, venues.
    """
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return text
    kept: list[str] = []
    run = 0
    for ch in text:
        if unicodedata.category(ch)[0] == "M":
            run += 1
            if run > MAX_COMBINING_MARKS:
                continue
        else:
            run = 0
        kept.append(ch)
    return "".join(kept)


class InvalidText(ValueError):
    """The text cannot be stored as a question; the message says why."""


def clean_question(text: object) -> str:
    """Return the text as it will be stored and shown, or raise InvalidText.

    Whitespace runs collapse to one space and control characters are dropped;
    the participant's wording, case and punctuation are kept otherwise.
    """
    if not isinstance(text, str):
        raise InvalidText("The question must be text.")
    text = tame_marks(text)
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
