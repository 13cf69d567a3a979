"""Across a series, the pure parts: a group's repeat flag, the record grid, the organiser's
wordings of a common question."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from townhall.domain.questions import QuestionRecord, Status, build_queue
from townhall.domain.series import AnsweredIn, Cell, clean_common, group_flag, record_grid
from townhall.domain.text import InvalidText

AT = datetime(2026, 5, 12, 14, 25, tzinfo=UTC)
EARLIER = AnsweredIn("dialogue-earlier", "The first dialogue", 31, AT, ("Amina Diallo",))


def test_group_flag_comes_from_any_wording_of_the_group() -> None:
    flag = group_flag([5, 6, 7], {7: 33}, {33: EARLIER})

    assert flag == EARLIER
    assert flag.record_url == "/e/dialogue-earlier/record#q-31"


def test_group_flag_none_when_the_repeated_question_is_no_longer_answered() -> None:
    assert group_flag([5, 6], {5: 40, 6: 41}, {33: EARLIER}) is None


def test_build_queue_puts_common_questions_first_with_their_wordings_and_flags() -> None:
    records = [
        QuestionRecord(1, "Popular", Status.OPEN, AT),
        QuestionRecord(2, "Common", Status.OPEN, AT, common_id=4),
        QuestionRecord(3, "Repeat", Status.OPEN, AT, canonical_id=1, repeat_of_id=33),
    ]

    queue = build_queue(
        records, {1: 9, 2: 0}, commons={4: {"fr": "Commune"}}, answered={33: EARLIER}
    )

    assert [item.id for item in queue.open] == [2, 1]
    assert queue.open[0].common is not None and queue.open[0].common.texts == {"fr": "Commune"}
    assert (queue.open[0].answered_in, queue.open[1].answered_in) == (None, EARLIER)


def test_record_grid_answered_and_not_reached() -> None:
    grid = record_grid(
        [4, 5],
        ["a", "b"],
        {(4, "a"): (10, "answered", AT), (4, "b"): (11, "open", AT), (5, "a"): (12, "open", None)},
    )

    assert grid == {
        4: [Cell("a", 10, AT), Cell("b", 11, None)],
        5: [Cell("a", 12, None), Cell("b", None, None)],
    }
    assert grid[4][0].record_url == "/e/a/record#q-10"
    assert grid[5][1].record_url is None


def test_clean_common_takes_the_first_wording_when_no_text_is_given() -> None:
    assert clean_common("", {"fr": "  Que  changeriez-vous ?", "en": ""}) == (
        "Que changeriez-vous ?",
        {"fr": "Que changeriez-vous ?"},
    )


@pytest.mark.parametrize(
    ("text", "texts"), [("", {}), ("", {"de": "Was zuerst?"}), ("Ok", {"en": "x" * 501})]
)
def test_clean_common_refuses_empty_unknown_language_or_too_long(
    text: str, texts: dict[str, str]
) -> None:
    with pytest.raises(InvalidText):
        clean_common(text, texts)
