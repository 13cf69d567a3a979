"""Across a series (pure): repeats of questions answered in earlier events, common questions,
and the series record's grid.

A repeat is only ever a flag: a question of one event is never merged into another event's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from townhall.domain.text import InvalidText, clean_question

# The languages the pages speak (frontend/js/messages/): a common question's wordings.
PAGE_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")


@dataclass(frozen=True)
class AnsweredIn:
    """Where and when the group a question repeats was answered."""

    event_slug: str
    event_title: str
    question_id: int  # the root of the answered group: its anchor in that event's record
    at: datetime | None  # when it was marked answered
    candidates: tuple[str, ...] = ()

    @property
    def record_url(self) -> str:
        return record_anchor(self.event_slug, self.question_id)


@dataclass(frozen=True)
class CommonMark:
    """A question carried into an event as the series' common question."""

    common_id: int
    texts: Mapping[str, str]  # the organiser's wordings per language


def record_anchor(event_slug: str, question_id: int) -> str:
    """The link to one question in an event's record page."""
    return f"/e/{event_slug}/record#q-{question_id}"


def group_flag(
    wording_ids: Iterable[int], repeats: Mapping[int, int], answered: Mapping[int, AnsweredIn]
) -> AnsweredIn | None:
    """The flag of a group: the first of its wordings (root first) whose repeated question
    still belongs to an answered group. `repeats` maps a wording to the earlier question it
    repeats, `answered` an earlier question to its answered group's record."""
    for wording in wording_ids:
        earlier = repeats.get(wording)
        if earlier is not None and earlier in answered:
            return answered[earlier]
    return None


def clean_common(text: str, texts: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """A common question's text as stored and its wordings per language (each cleaned like a
    participant's question; empty ones dropped). With no `text`, the first wording stands."""
    kept: dict[str, str] = {}
    for language, wording in texts.items():
        if language not in PAGE_LANGUAGES:
            raise InvalidText(f"Not one of the six languages of the pages: {language!r}.")
        if wording.strip():
            kept[language] = clean_question(wording)
    if text.strip():
        return clean_question(text), kept
    if not kept:
        raise InvalidText("The question is empty.")
    return next(iter(kept.values())), kept


@dataclass(frozen=True)
class Cell:
    """One candidate's (one event's) answer to one common question."""

    event_slug: str
    question_id: int | None  # the event's copy of the common question
    answered_at: datetime | None  # None: not reached

    @property
    def record_url(self) -> str | None:
        if self.question_id is None:
            return None
        return record_anchor(self.event_slug, self.question_id)


def record_grid(
    common_ids: Sequence[int],
    event_slugs: Sequence[str],
    carried: Mapping[tuple[int, str], tuple[int, str, datetime | None]],
) -> dict[int, list[Cell]]:
    """Rows of common questions, a cell per event in the given order. `carried` maps (common
    question, event) to the event's copy: (question id, status, status changed at)."""
    grid: dict[int, list[Cell]] = {}
    for common_id in common_ids:
        row = []
        for slug in event_slugs:
            found = carried.get((common_id, slug))
            if found is None:
                row.append(Cell(slug, None, None))
                continue
            question_id, status, changed = found
            row.append(Cell(slug, question_id, changed if status == "answered" else None))
        grid[common_id] = row
    return grid
