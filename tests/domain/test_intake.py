from datetime import UTC, datetime, timedelta

import pytest

from townhall.domain.intake import (
    IntakeRefusal,
    QuestionWindow,
    intake_refusal,
    window_problem,
    window_refusal,
)

OPENS = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CLOSES = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
WINDOW = QuestionWindow(OPENS, CLOSES)
TICK = timedelta(seconds=1)


def test_window_refusal_before_opening_names_the_opening() -> None:
    assert window_refusal(WINDOW, OPENS - TICK) == IntakeRefusal(
        "questions_not_open_yet", "Questions open at 2027-03-01T09:00:00+00:00.", OPENS
    )


@pytest.mark.parametrize("now", [OPENS, CLOSES - TICK])
def test_window_refusal_inside_window_is_none(now: datetime) -> None:
    assert window_refusal(WINDOW, now) is None


def test_window_refusal_at_closing_names_the_closing() -> None:
    assert window_refusal(WINDOW, CLOSES) == IntakeRefusal(
        "questions_closed", "Questions are closed for this event.", CLOSES
    )


def test_window_refusal_no_window_is_none() -> None:
    assert window_refusal(QuestionWindow(), OPENS) is None


def test_intake_refusal_inside_window_scheduled_event_is_none() -> None:
    assert intake_refusal(status="scheduled", questions_open=True, window=WINDOW, now=OPENS) is None


def test_intake_refusal_switch_off_inside_window_is_closed() -> None:
    refusal = intake_refusal(status="live", questions_open=False, window=WINDOW, now=OPENS)

    assert refusal == IntakeRefusal("questions_closed", "Questions are closed for this event.")


def test_intake_refusal_before_opening_wins_over_switch() -> None:
    refusal = intake_refusal(
        status="scheduled", questions_open=False, window=WINDOW, now=OPENS - TICK
    )

    assert refusal is not None and refusal.code == "questions_not_open_yet"


@pytest.mark.parametrize("status", ["ended", "cancelled"])
def test_intake_refusal_closed_event_inside_window_is_event_closed(status: str) -> None:
    refusal = intake_refusal(status=status, questions_open=True, window=WINDOW, now=OPENS)

    assert refusal == IntakeRefusal("event_closed", f"This event is {status}.")


def test_intake_refusal_no_window_follows_switch() -> None:
    window = QuestionWindow()

    assert (
        intake_refusal(status="live", questions_open=True, window=window, now=OPENS),
        intake_refusal(status="live", questions_open=False, window=window, now=OPENS) is not None,
    ) == (None, True)


def test_window_problem_closing_at_start_is_accepted() -> None:
    assert window_problem(QuestionWindow(OPENS, CLOSES), CLOSES) is None


def test_window_problem_opening_only_is_accepted() -> None:
    assert window_problem(QuestionWindow(opens=OPENS), OPENS - timedelta(days=9)) is None
