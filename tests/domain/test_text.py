"""Question text cleaning."""

from __future__ import annotations

import pytest

from townhall.domain.text import InvalidText, clean_question, normalise_for_matching


def test_clean_question_collapses_whitespace_and_drops_controls() -> None:
    assert clean_question("  How   will\u0007 you\n\nlead?  ") == "How will you lead?"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "ab", "x" * 501, None, 3])
def test_clean_question_rejects_bad_text(text: object) -> None:
    with pytest.raises(InvalidText):
        clean_question(text)


def test_normalise_for_matching_folds_case_quotes_and_repeated_punctuation() -> None:
    assert normalise_for_matching("What’s  YOUR plan??!!") == "what's your plan?!"
