"""Fixtures of the domain tests."""

from __future__ import annotations

import pytest
from calendar_values import MakeEvent, MakeInput, calendar_event_maker, event_input_maker


@pytest.fixture
def make_input() -> MakeInput:
    return event_input_maker()


@pytest.fixture
def make_event() -> MakeEvent:
    return calendar_event_maker()
