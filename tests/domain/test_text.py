"""Question text cleaning."""

from __future__ import annotations

import unicodedata

import pytest

from townhall.domain.text import (
    MAX_COMBINING_MARKS,
    InvalidText,
    clean_question,
    normalise_for_matching,
    tame_marks,
)

ZALGO = "H" + "\u0301" * 499 + "ello, is this shown on every screen?"

# Real questions (written as people type them) whose marks must all survive.
REAL = {
    "ar": "هَلْ سَتُمَوِّلُ الحُكُومَةُ المَدَارِسَ فِي القُرَى النَّائِيَةِ؟",
    "ar-quran": "بِسْمِ ٱللَّهِ ٱلرَّحْمَٰنِ ٱلرَّحِيمِ",
    "vi": "Chính phủ sẽ làm gì để giảm ô nhiễm không khí ở Hà Nội?",
    "hi": "क्या सरकार ग्रामीण क्षेत्रों में स्वास्थ्य सेवाएँ बढ़ाएगी? ज़्यादा लोगों को कैंसर का इलाज मिलेगा?",
    "th": "รัฐบาลจะทำอย่างไรเพื่อลดค่าครองชีพของประชาชนที่นี่",
    "he": "מָה הַמֶּמְשָׁלָה תַּעֲשֶׂה כְּדֵי לְהוֹרִיד אֶת יֹקֶר הַמִּחְיָה?",
    "he-bible": "בְּרֵאשִׁ֖ית בָּרָ֣א אֱלֹהִ֑ים אֵ֥ת הַשָּׁמַ֖יִם וְאֵ֥ת הָאָֽרֶץ׃",  # noqa: RUF001  (a real verse end)
    "bo": "བོད་ཀྱི་སྐད་ཡིག་སྲུང་སྐྱོབ་ཇི་ལྟར་བྱེད་དམ། སྒྲུབ་པ།",
    "emoji": "Keycap 1️⃣ and ❤️ survive?",
}


def test_clean_question_collapses_whitespace_and_drops_controls() -> None:
    assert clean_question("  How   will\u0007 you\n\nlead?  ") == "How will you lead?"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "ab", "x" * 501, None, 3])
def test_clean_question_rejects_bad_text(text: object) -> None:
    with pytest.raises(InvalidText):
        clean_question(text)


def test_normalise_for_matching_folds_case_quotes_and_repeated_punctuation() -> None:
    assert normalise_for_matching("What’s  YOUR plan??!!") == "what's your plan?!"


@pytest.mark.parametrize("text", REAL.values(), ids=REAL.keys())
def test_tame_marks_leaves_real_writing_untouched(text: str) -> None:
    assert (tame_marks(text), clean_question(text)) == (text, text)


def test_tame_marks_leaves_decomposed_vietnamese_as_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", REAL["vi"])

    assert tame_marks(decomposed) == REAL["vi"]


def test_tame_marks_cuts_long_runs_of_combining_marks() -> None:
    expected = "H" + "\u0301" * MAX_COMBINING_MARKS + "ello, is this shown on every screen?"

    assert (tame_marks(ZALGO), clean_question(ZALGO)) == (expected, expected)


def test_tame_marks_cuts_each_run_of_mixed_marks() -> None:
    marks = "\u0300\u0301\u0302\u0303\u0304\u0305\u0306"

    assert tame_marks(f"q{marks}q{marks}") == f"q{marks[:4]}q{marks[:4]}"
