"""Pure text helpers for comparing two questions: words, numbers, negation and names.

These are deliberately simple (English-only word lists); the dedup scorer learns how much
each signal matters, so they only need to be consistent, not perfect.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from townhall.domain.text import normalise_for_matching

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.?!:;]\s*$")
_RAW_TOKEN = re.compile(r"\S+")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "one",
        "ones",
        "thing",
        "things",
        "way",
        "ways",
        "really",
        "much",
        "many",
        "best",
        "good",
    ]
)

NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "without",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "none",
        "cannot",
        "nowhere",
        "against",
    ]
)

QUESTION_WORDS = frozenset(["what", "why", "how", "when", "where", "who", "whom", "whose", "which"])

_NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
    "thousand": "1000",
    "million": "1000000",
    "billion": "1000000000",
    "half": "0.5",
    "dozen": "12",
}


def words(text: str) -> list[str]:
    """Lower-cased words (letters and digits, inner apostrophes kept: "don't")."""
    return _WORD.findall(normalise_for_matching(text))


def content_words(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if t not in STOPWORDS]


def numbers(text: str) -> set[str]:
    """Numbers mentioned, digits or common number words, normalised ("10%" -> "10", "1,000" -> "1000")."""
    found = {m.replace(",", "") for m in _NUMBER.findall(text)}
    found.update(_NUMBER_WORDS[t] for t in words(text) if t in _NUMBER_WORDS and t != "one")
    return found


def negated(tokens: Sequence[str]) -> bool:
    return any(t in NEGATIONS or t.endswith("n't") for t in tokens)


def entity_names(text: str) -> set[str]:
    """Capitalised words that look like names ("Africa", "UNICEF"), lower-cased.

    The first word of a sentence is capitalised anyway, so it only counts when it is an
    acronym. Common words (stopwords, "I") never count.
    """
    names: set[str] = set()
    sentence_start = True
    for raw in _RAW_TOKEN.findall(_keep_case(text)):
        for tok in _WORD.findall(raw):
            lower = tok.lower()
            is_acronym = len(tok) >= 2 and tok.isupper() and tok.isalpha()
            capitalised = tok[:1].isupper()
            if lower not in STOPWORDS and (is_acronym or (capitalised and not sentence_start)):
                names.add(lower)
            sentence_start = False
        sentence_start = bool(_SENTENCE_END.search(raw))
    return names


def _keep_case(text: str) -> str:
    # Like `normalise_for_matching` but keeping case, which names depend on.
    return " ".join(text.replace("’", "'").replace("‘", "'").split())


def question_word(tokens: Sequence[str]) -> str:
    """The first interrogative word ("what", "why", ...), or "" when there is none."""
    return next((t for t in tokens if t in QUESTION_WORDS), "")


def conflicting_numbers(a: str, b: str) -> bool:
    """Both mention numbers and each mentions one the other does not ("10%" vs "50%")."""
    na, nb = numbers(a), numbers(b)
    return bool(na - nb) and bool(nb - na)


def negation_differs(a: str, b: str) -> bool:
    """One is negated and the other is not ("Will you support X?" vs "Will you not support X?")."""
    return negated(words(a)) != negated(words(b))


def conflicting_names(a: str, b: str) -> bool:
    """Each names something the other never mentions ("for Africa?" vs "for Asia?")."""
    wa, wb = words(a), words(b)
    return any(not _mentioned(n, wb) for n in entity_names(a)) and any(
        not _mentioned(n, wa) for n in entity_names(b)
    )


def _mentioned(name: str, tokens: Sequence[str]) -> bool:
    # A shared stem counts, so "IIM" matches "IIMs" and "Nigeria" matches "Nigeria's".
    stem = name[: max(3, len(name) - 2)]
    return any(
        t.startswith(stem) or (len(t) >= 4 and name.startswith(t[: len(t) - 2])) for t in tokens
    )
