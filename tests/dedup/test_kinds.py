"""Kinds of pairs and the features of the multilingual second stage."""

from __future__ import annotations

from townhall.dedup.kinds import (
    MULTILINGUAL_FEATURES,
    CharProfile,
    length_in_words,
    pair_kind,
    surface_features,
)


def test_pair_kind_by_languages() -> None:
    kinds = [pair_kind("en", "en"), pair_kind("zh", "zh"), pair_kind("es", "en")]

    assert kinds == ["english", "same", "cross"]


def test_length_in_words_counts_chinese_characters_by_two() -> None:
    lengths = [
        length_in_words("你们将如何保护记者？", "zh"),
        length_in_words("How will you protect journalists?", "en"),
    ]

    assert lengths == [5, 5]


def test_surface_features_symmetric_and_named() -> None:
    a = CharProfile.of("开初婚未育证明怎么弄？")
    b = CharProfile.of("初婚未育情况证明怎么开？")

    ab, ba = surface_features(0.8, a, b), surface_features(0.8, b, a)

    assert (ab == ba, len(ab)) == (True, len(MULTILINGUAL_FEATURES))


def test_surface_features_chinese_overlap_and_numbers() -> None:
    a = CharProfile.of("2020年的预算是多少？")
    b = CharProfile.of("2021年的预算是多少？")

    named = dict(zip(MULTILINGUAL_FEATURES, surface_features(0.9, a, b), strict=True))

    assert (named["char_jaccard"] > 0.7, named["number_mismatch"]) == (True, 1.0)


def test_char_profile_keeps_latin_names_across_scripts() -> None:
    chinese = CharProfile.of("Jared Allen 职业生涯有多少次擒杀？")
    english = CharProfile.of("How many career sacks did Jared Allen have?")

    assert chinese.latin & english.latin == {"jared", "allen"}
