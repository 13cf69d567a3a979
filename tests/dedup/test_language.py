"""The language detector on short real questions (the real py3langid model)."""

from __future__ import annotations

from townhall.dedup.language import UN_LANGUAGES, LanguageDetector, detect_language

# The same civic questions, as people would type them, in the six UN languages.
QUESTIONS = {
    "en": ["How will you protect journalists?", "What is the plan for clean water in cities?"],
    "fr": ["Comment allez-vous protéger les journalistes ?", "Quel est le plan pour l'eau ?"],
    "es": ["¿Cómo protegerán a los periodistas?", "¿Cuál es el plan para el agua potable?"],
    "ru": ["Как вы защитите журналистов?", "Какой план по чистой воде в городах?"],
    "ar": ["كيف ستحمون الصحفيين؟", "ما هي الخطة لتوفير المياه النظيفة في المدن؟"],
    "zh": ["你们将如何保护记者？", "城市清洁用水的计划是什么？"],
}


def test_detect_language_short_questions_in_each_un_language() -> None:
    found = {lang: [detect_language(text) for text in texts] for lang, texts in QUESTIONS.items()}

    assert found == {lang: [lang] * len(texts) for lang, texts in QUESTIONS.items()}


def test_detect_language_answers_only_among_its_languages() -> None:
    detector = LanguageDetector(languages=UN_LANGUAGES)

    # German is not among the candidates: the answer is still one of them.
    assert detector.detect("Wie schützen Sie Journalisten?") in UN_LANGUAGES


def test_detect_language_chinese_not_taken_for_a_dialect() -> None:
    # Left free, py3langid answers Wu Chinese ("wuu") for many short Mandarin questions.
    assert detect_language("谁是美国总统？") == "zh"
