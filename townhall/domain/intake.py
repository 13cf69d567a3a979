"""When an event takes questions: the advance window and the moderator's switch (pure).

An organiser may give an event a window, `questions_from` to `questions_until` (either may be
left open). Before the window opens asking and voting are refused as not open yet, after it
closes as closed; inside it they work even before the event is live, so the live queue starts
with what was asked in advance. The moderator's switch (`questions_open`) still pauses new
questions inside the window (votes follow the window alone: they never followed the switch).
Setting a window that opens turns the switch on (actions/schedule.py), so the organiser's
window is all it takes. An event with no window follows the switch alone, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CLOSED_STATUSES = frozenset({"cancelled", "ended"})


@dataclass(frozen=True)
class QuestionWindow:
    """Aware UTC instants; None leaves that side open."""

    opens: datetime | None = None
    closes: datetime | None = None


NO_WINDOW = QuestionWindow()  # immutable: shared as the default of every event without one


@dataclass(frozen=True)
class IntakeRefusal:
    """Why a question or a vote is not taken now: a stable code, words, and the moment
    that matters (`at`: when it opens, or when it closed), if any."""

    code: str
    message: str
    at: datetime | None = None


def window_problem(window: QuestionWindow, start_utc: datetime) -> tuple[str, str] | None:
    """(field, message) if the window cannot be used for an event starting at `start_utc`.

    The window closes after it opens, and not before the event starts: the questions asked in
    advance are the live queue's, so intake must reach the event (it may stay open through it,
    or beyond, for questions answered in writing afterwards)."""
    opens, closes = window.opens, window.closes
    if opens is not None and closes is not None and closes <= opens:
        return "questions_until", "Questions must close after they open."
    if closes is not None and closes < start_utc:
        return "questions_until", "Questions must stay open at least until the event starts."
    return None


def window_refusal(window: QuestionWindow, now: datetime) -> IntakeRefusal | None:
    """Why nothing is taken at `now` by the window alone: votes follow this rule only (the
    moderator's switch pauses new questions, not support for those asked)."""
    if window.closes is not None and now >= window.closes:
        return IntakeRefusal(
            "questions_closed", "Questions are closed for this event.", window.closes
        )
    if window.opens is not None and now < window.opens:
        return IntakeRefusal(
            "questions_not_open_yet",
            f"Questions open at {window.opens.isoformat()}.",
            window.opens,
        )
    return None


def intake_refusal(
    *, status: str, questions_open: bool, window: QuestionWindow, now: datetime
) -> IntakeRefusal | None:
    """None when the event takes a new question at `now`; otherwise why not."""
    if status in CLOSED_STATUSES:
        return IntakeRefusal("event_closed", f"This event is {status}.")
    refusal = window_refusal(window, now)
    if refusal is None and not questions_open:
        return IntakeRefusal("questions_closed", "Questions are closed for this event.")
    return refusal
