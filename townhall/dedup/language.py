"""The language of a question: py3langid restricted to the languages the dedup model knows.

Measured on the 8,050 distinct questions of xling_dev.tsv (docs/dedup.md): py3langid limited
to these languages labels 99.94% correctly (every UN language at 99.9% or more) in about
0.25 ms a question; lingua-language-detector (high accuracy, same languages) 99.42% in about
1.1 ms and 1.2 GB resident with its models loaded. Left free to answer any of its 97
languages, py3langid took a fifth of the Chinese questions for Wu or Cantonese and some
Arabic for Egyptian Arabic: naming the candidates is what makes short questions reliable.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

# ISO 639-1 codes. The six official UN languages first, then languages that people in a UN
# selection write in and that the multilingual encoder covers.
UN_LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")
LANGUAGES: tuple[str, ...] = (
    *UN_LANGUAGES,
    *("de", "el", "hi", "it", "ja", "ko", "nl", "pl", "pt", "ro", "th", "tr", "vi"),
)
# Written without spaces between words: lengths there count characters, not words.
UNSPACED: frozenset[str] = frozenset({"zh", "ja", "th"})
# A text whose probability of being English is at least this is embedded and compared as
# English too. Of the 20,000 Quora questions, 35 were taken for another language ("Is 7 a
# lucky number?": Romanian); 32 of them have P(en) >= 0.05, against none of the Spanish or
# French questions of xling_dev.tsv and 1.6% of the German ones.
ENGLISH_LIKE = 0.05


class LanguageDetector:
    """Detects one of `languages` for a text. The model (about 3 MB) loads on first use."""

    def __init__(self, languages: tuple[str, ...] = LANGUAGES) -> None:
        self.languages = languages
        self._identifier: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(self.languages))
                self._identifier = identifier
            return self._identifier

    def detect(self, text: str) -> str:
        # classify() keeps no state between calls, so threads may share the identifier.
        language: str = self._loaded().classify(text)[0]
        return language

    def english_probability(self, text: str) -> float:
        return float(dict(self._loaded().rank(text)).get("en", 0.0))


_DETECTOR = LanguageDetector()


@functools.lru_cache(maxsize=16384)
def detect_language(text: str) -> str:
    """The language of `text` (one of `LANGUAGES`), cached: candidates are scored often."""
    return _DETECTOR.detect(text)


@functools.lru_cache(maxsize=16384)
def routing_language(text: str) -> str:
    """The language dedup treats `text` as: English when it may well be English (short
    English questions are now and then taken for Romanian or Portuguese), else as detected.
    The English model then still compares it with the other English questions."""
    language = detect_language(text)
    if language != "en" and _DETECTOR.english_probability(text) >= ENGLISH_LIKE:
        return "en"
    return language
