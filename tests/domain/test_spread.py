from __future__ import annotations

from datetime import UTC, datetime, timedelta

from townhall.domain.questions import QueueItem, Status, sort_key
from townhall.domain.spread import (
    Cell,
    Spread,
    fold,
    order_by_regions,
    spread_of,
    spreads,
)

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _item(question_id: int, votes: int, minutes: int = 0) -> QueueItem:
    return QueueItem(
        question_id, f"q{question_id}", Status.OPEN, votes, T0 + timedelta(minutes=minutes)
    )


def test_fold_keeps_cells_at_the_threshold_and_folds_smaller_ones_into_other() -> None:
    counts = {"Africa": 7, "Asia": 5, "Europe": 3, "Oceania": 2, None: 1}

    assert fold(counts, 5) == (Cell("Africa", 7), Cell("Asia", 5), Cell("other", 6))


def test_fold_hides_other_when_it_is_itself_below_the_threshold() -> None:
    assert fold({"Africa": 9, "Oceania": 4}, 5) == (Cell("Africa", 9),)


def test_fold_never_shows_a_group_of_four() -> None:
    assert fold({"Oceania": 4}, 5) == ()
    assert fold({None: 4}, 5) == ()


def test_fold_puts_not_given_into_other_even_when_large() -> None:
    assert fold({"Europe": 5, None: 20}, 5) == (Cell("Europe", 5), Cell("other", 20))


def test_fold_with_threshold_one_shows_every_cell() -> None:
    assert fold({"Asia": 1, "Africa": 2}, 1) == (Cell("Africa", 2), Cell("Asia", 1))


def test_spread_of_counts_regions_groups_and_stakeholders() -> None:
    rows = [
        ("NG", "civil_society", 3),  # Africa, African Group
        ("KE", "academia", 2),  # Africa, African Group
        ("BR", "civil_society", 5),  # Americas, GRULAC
        ("US", None, 1),  # Americas, WEOG
        ("FR", "other", 2),  # Europe, WEOG
        (None, "youth", 4),
    ]

    assert spread_of(12, rows, 5) == Spread(
        question_id=12,
        supporters=17,
        regions=2,
        by_region=(Cell("Americas", 6), Cell("Africa", 5), Cell("other", 6)),
        by_group=(
            Cell("African Group", 5),
            Cell("Latin American and Caribbean Group", 5),
            Cell("other", 7),
        ),
        by_stakeholder=(Cell("civil_society", 8), Cell("other", 9)),
    )


def test_spread_of_ignores_unknown_stakeholder_values() -> None:
    assert spread_of(1, [("FR", "lobbyists", 6)], 5).by_stakeholder == (Cell("other", 6),)


def test_spreads_groups_rows_by_root() -> None:
    rows = [(3, "JP", None, 5), (3, "CN", None, 1), (4, "DE", None, 2)]

    found = spreads(rows, 5)

    assert {root: (s.supporters, s.regions) for root, s in found.items()} == {3: (6, 1), 4: (2, 0)}


def test_order_by_regions_puts_the_wider_support_first() -> None:
    crowded, wide = _item(1, votes=40), _item(2, votes=12, minutes=5)

    assert order_by_regions([crowded, wide], {1: 1, 2: 3}) == [wide, crowded]


def test_order_by_regions_breaks_ties_by_votes_then_age() -> None:
    items = [_item(1, 5, minutes=2), _item(2, 9, minutes=3), _item(3, 5, minutes=1), _item(4, 2)]

    ordered = order_by_regions(items, {1: 2, 2: 2, 3: 2})

    assert [item.id for item in ordered] == [2, 3, 1, 4]


def test_order_by_regions_without_regions_is_the_queue_order() -> None:
    items = [_item(i, votes, minutes) for i, votes, minutes in [(1, 3, 0), (2, 8, 1), (3, 3, 2)]]

    assert order_by_regions(items, {}) == sorted(items, key=sort_key)
