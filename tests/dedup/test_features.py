from __future__ import annotations

import numpy as np

from townhall.dedup.features import (
    LEXICAL_FEATURES,
    TextProfile,
    WordWeights,
    embedding_features,
    lexical_features,
    lexical_matrix,
    trigram_similarity,
    trigrams,
)
from townhall.domain.similarity import (
    conflicting_names,
    conflicting_numbers,
    entity_names,
    negation_differs,
    numbers,
)


def feature(name: str, a: str, b: str, cosine: float = 0.5) -> float:
    values = lexical_features(cosine, TextProfile.of(a), TextProfile.of(b), WordWeights())
    return values[LEXICAL_FEATURES.index(name)]


def test_trigrams_pad_each_word_like_pg_trgm() -> None:
    assert trigrams("Cat!") == frozenset({"  c", " ca", "cat", "at "})


def test_trigrams_split_words_on_underscore_and_punctuation() -> None:
    assert trigrams("a_b") == frozenset({"  a", " a ", "  b", " b "})


def test_trigram_similarity_matches_postgres_documentation() -> None:
    # PostgreSQL docs: similarity('word', 'two words') = 0.36363637 (4 shared of 11)
    assert trigram_similarity("word", "two words") == 4 / 11


def test_trigram_similarity_hello_hallo_is_one_third() -> None:
    assert trigram_similarity("hello", "hallo") == 3 / 9


def test_trigram_similarity_ignores_case_and_punctuation() -> None:
    assert trigram_similarity("Will you RESIGN?", "will you resign") == 1.0


def test_trigram_similarity_without_words_is_zero() -> None:
    assert (trigram_similarity("?!", "?!"), trigram_similarity("", "word")) == (0.0, 0.0)


def test_lexical_features_are_symmetric() -> None:
    a = TextProfile.of("Will you cut the UN budget by 10% in 2027?")
    b = TextProfile.of("Would you not reduce the budget of the United Nations?")
    weights = WordWeights({"the": 1.1, "budget": 3.0}, rare=5.0)

    assert lexical_features(0.7, a, b, weights) == lexical_features(0.7, b, a, weights)


def test_lexical_features_have_one_value_per_name() -> None:
    a, b = TextProfile.of("What about Africa?"), TextProfile.of("And Asia?")

    assert len(lexical_features(0.1, a, b, WordWeights())) == len(LEXICAL_FEATURES)


def test_lexical_matrix_rows_match_single_pairs() -> None:
    a = [TextProfile.of("How do I learn Python?"), TextProfile.of("Why?")]
    b = [TextProfile.of("How can I learn python fast?"), TextProfile.of("Why not?")]
    weights = WordWeights()

    matrix = lexical_matrix([0.9, 0.4], a, b, weights)

    assert matrix.tolist() == [
        lexical_features(0.9, a[0], b[0], weights),
        lexical_features(0.4, a[1], b[1], weights),
    ]


def test_number_mismatch_when_numbers_differ() -> None:
    assert (
        feature("number_mismatch", "Cut the budget by 10%?", "Cut the budget by 50%?"),
        feature("number_mismatch", "Cut the budget by 10%?", "Cut the budget by ten percent?"),
    ) == (1.0, 0.0)


def test_negation_mismatch_when_one_side_is_negated() -> None:
    assert (
        feature("negation_mismatch", "Will you support it?", "Won't you support it?"),
        feature("negation_mismatch", "Will you support it?", "Do you support it?"),
    ) == (1.0, 0.0)


def test_embedding_features_are_abs_difference_then_product() -> None:
    query = np.array([0.6, 0.8], dtype=np.float32)
    candidates = np.array([[1.0, 0.0], [0.6, 0.8]], dtype=np.float32)

    result = embedding_features(query, candidates)

    assert np.allclose(result, [[0.4, 0.8, 0.6, 0.0], [0.0, 0.0, 0.36, 0.64]])


def test_word_weights_give_rare_words_more_weight() -> None:
    weights = WordWeights.fit(["the cat", "the dog", "the bird", "a cat"], keep=2)

    assert weights("the") < weights("cat") < weights("zebra") == weights.rare


def test_word_weights_round_trip_through_config() -> None:
    weights = WordWeights({"the": 1.2}, rare=4.5)

    assert WordWeights.from_config(weights.to_config()) == weights


def test_numbers_normalise_digits_and_words() -> None:
    assert numbers("Cut 1,000 jobs, ten offices and 10% of 2.5 billion?") == {
        "1000",
        "10",
        "2.5",
        "1000000000",
    }


def test_entity_names_skip_sentence_starts_and_common_words() -> None:
    assert entity_names("What will you do for Africa? Will the UN act? I ask.") == {
        "africa",
        "un",
    }


def test_conflicting_numbers_needs_a_different_number_on_each_side() -> None:
    assert (
        conflicting_numbers("by 10%?", "by 50%?"),
        conflicting_numbers("by 10%?", "by 10 percent?"),
        conflicting_numbers("by 10%?", "at all?"),
    ) == (True, False, False)


def test_negation_differs_only_when_one_side_negates() -> None:
    assert (
        negation_differs("Will you support X?", "Will you not support X?"),
        negation_differs("Why can't I sleep?", "Why am I not sleeping?"),
    ) == (True, False)


def test_conflicting_names_allows_a_shared_stem() -> None:
    assert (
        conflicting_names("What will you do for Africa?", "What will you do for Asia?"),
        conflicting_names("How do I get into IIM?", "How do I get into the IIMs?"),
        conflicting_names("Is Donald Trump right?", "Is Trump right?"),
    ) == (True, False, False)


def test_longest_common_substring_is_a_share_of_the_shorter_wording() -> None:
    # " i learn python" (15 characters) of "how do i learn python" (21).
    value = feature(
        "longest_common_substring", "How do I learn Python?", "How can I learn Python fast?"
    )

    assert value == 15 / 21


def test_longest_common_substring_matches_difflib_which_the_scorer_was_fitted_with() -> None:
    import difflib

    pairs = [
        ("will you cut the un budget", "would you cut the budget of the un"),
        ("abcabcabc", "cabcab"),
        ("aaaa", "aa a aaa"),
        ("why", "how"),
    ]
    for a, b in pairs:
        longest = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(
            0, len(a), 0, len(b)
        )
        profile_a, profile_b = TextProfile.of(a), TextProfile.of(b)
        assert profile_a.lowered == a and profile_b.lowered == b
        values = lexical_features(0.5, profile_a, profile_b, WordWeights())

        assert values[LEXICAL_FEATURES.index("longest_common_substring")] == longest.size / min(
            len(a), len(b)
        )
