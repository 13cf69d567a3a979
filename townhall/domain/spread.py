"""Regional balance: how a question group's support spreads, folded for privacy, and the
moderator's "support from the most regions" order (docs/integrity.md, "Regional balance").

Everything here works on counts already grouped by the store: (group root, country,
stakeholder group) -> distinct supporters. A person has one country and one stakeholder
group, so adding those counts up per region still counts each person once per group.

Privacy: a cell (a region, a regional group, a stakeholder group) with fewer than
`minimum` supporters is never shown as a number. Such cells go into one "other" cell
together with the supporters who gave nothing (and, for stakeholders, those who chose
"other"); that cell too is left out when it is below `minimum`. Because "not given" is
always part of "other", a hidden remainder cannot be pinned on one region by subtracting
the shown cells from the question's public vote count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from townhall.domain.organisations import STAKEHOLDER_GROUPS
from townhall.domain.regions import M49_REGIONS, m49_region, un_regional_group

OTHER = "other"  # the folded cell: small cells and everyone who gave nothing


@dataclass(frozen=True)
class Cell:
    key: str
    supporters: int


@dataclass(frozen=True)
class Spread:
    question_id: int
    supporters: int
    regions: int  # M49 regions with at least `minimum` supporters
    by_region: tuple[Cell, ...]
    by_group: tuple[Cell, ...]
    by_stakeholder: tuple[Cell, ...]


# (group root, country or None, stakeholder group or None, distinct supporters)
SupportRow = tuple[int, str | None, str | None, int]


def fold(counts: Mapping[str | None, int], minimum: int) -> tuple[Cell, ...]:
    """Cells of at least `minimum`, largest first; the rest (and None) as one "other" cell,
    itself shown only from `minimum` on."""
    shown = [Cell(key, n) for key, n in counts.items() if key not in (None, OTHER) and n >= minimum]
    shown.sort(key=lambda cell: (-cell.supporters, cell.key))
    rest = sum(counts.values()) - sum(cell.supporters for cell in shown)
    if rest >= minimum:
        shown.append(Cell(OTHER, rest))
    return tuple(shown)


def _tally(
    rows: Iterable[tuple[str | None, str | None, int]],
    key: Callable[[str | None, str | None], str | None],
) -> Counter[str | None]:
    tally: Counter[str | None] = Counter()
    for country, stakeholder, n in rows:
        tally[key(country, stakeholder)] += n
    return tally


def _region(country: str | None, _: str | None) -> str | None:
    return m49_region(country) if country else None


def _group(country: str | None, _: str | None) -> str | None:
    return un_regional_group(country) if country else None


def _stakeholder(_: str | None, stakeholder: str | None) -> str | None:
    return stakeholder if stakeholder in STAKEHOLDER_GROUPS else None


def spread_of(
    question_id: int, rows: Sequence[tuple[str | None, str | None, int]], minimum: int
) -> Spread:
    """One group's spread from its (country, stakeholder group, supporters) rows."""
    regions = _tally(rows, _region)
    return Spread(
        question_id=question_id,
        supporters=sum(n for _, _, n in rows),
        regions=sum(1 for region in M49_REGIONS if regions[region] >= minimum),
        by_region=fold(regions, minimum),
        by_group=fold(_tally(rows, _group), minimum),
        by_stakeholder=fold(_tally(rows, _stakeholder), minimum),
    )


def spreads(rows: Iterable[SupportRow], minimum: int) -> dict[int, Spread]:
    """Every group's spread, by root id."""
    by_root: dict[int, list[tuple[str | None, str | None, int]]] = {}
    for root, country, stakeholder, n in rows:
        by_root.setdefault(root, []).append((country, stakeholder, n))
    return {root: spread_of(root, group, minimum) for root, group in by_root.items()}


class Ranked(Protocol):
    """What ordering needs of a queue item (a `QueueItem` is one)."""

    @property
    def id(self) -> int: ...
    @property
    def votes(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...


R = TypeVar("R", bound=Ranked)


def region_sort_key(item: Ranked, regions: Mapping[int, int]) -> tuple[int, int, datetime, int]:
    """Support from the most regions first; ties as the queue's own order (`sort_key`):
    most votes, then the older question."""
    return (-regions.get(item.id, 0), -item.votes, item.created_at, item.id)


def order_by_regions(items: Iterable[R], regions: Mapping[int, int]) -> list[R]:
    """The open queue as the moderator's "most regions" order shows it."""
    return sorted(items, key=lambda item: region_sort_key(item, regions))
