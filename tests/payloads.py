"""Hypothesis strategies for action payloads: those schemathesis generates from each action's
operation in /openapi.json (the payload models' JSON schemas), valid and not, and arbitrary
JSON around the same field names (ids out of range, numbers as strings, booleans for numbers,
nesting)."""

from __future__ import annotations

import copy
import functools
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode

from townhall.actions import moderation, questions  # noqa: F401  (registers the actions)
from townhall.actions.base import ACTIONS, MAX_ID
from townhall.web.openapi import build_openapi

# Values that once got past the schemas or broke the batches (issue 13).
NASTY: list[Any] = [2**63, -(2**63), 10**30, 2**31, MAX_ID, 0, -1, "1", "", True, False, 1.0, None]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(NASTY)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _narrowed(spec: Any, largest: int) -> Any:
    """The description with each id narrowed to 1..largest, so that generated payloads also
    name questions that exist and the handlers run past the lookup."""
    if isinstance(spec, dict):
        return {
            key: largest if key == "maximum" and value == MAX_ID else _narrowed(value, largest)
            for key, value in spec.items()
        }
    if isinstance(spec, list):
        return [_narrowed(value, largest) for value in spec]
    return spec


@functools.cache
def _schemas() -> tuple[Any, ...]:
    spec = build_openapi()
    return (
        schemathesis.openapi.from_dict(copy.deepcopy(spec)),
        schemathesis.openapi.from_dict(_narrowed(spec, 6)),
    )


def schema_bodies(
    name: str, modes: tuple[GenerationMode, ...] = tuple(GenerationMode)
) -> st.SearchStrategy[Any]:
    """Request bodies schemathesis draws from the action's operation: valid, and not."""
    strategies = [
        schema[f"/api/events/{{slug}}/actions/{name}"]["POST"].as_strategy(generation_mode=mode)
        for schema in _schemas()
        for mode in modes
    ]
    return st.one_of(strategies).map(lambda case: case.body)


@st.composite
def mutated_bodies(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """A valid body with one field's value swapped for a nasty or arbitrary one."""
    body = dict(draw(schema_bodies(name, (GenerationMode.POSITIVE,))))
    fields = sorted(ACTIONS[name].payload.model_fields)
    if fields:
        body[draw(st.sampled_from(fields))] = draw(st.sampled_from(NASTY) | json_values)
    return body


def arbitrary_bodies(name: str) -> st.SearchStrategy[dict[str, Any]]:
    fields = sorted(ACTIONS[name].payload.model_fields)
    keys = st.sampled_from(fields) | st.text(max_size=12) if fields else st.text(max_size=12)
    return st.dictionaries(keys, json_values, max_size=4)


def bodies(name: str) -> st.SearchStrategy[Any]:
    """Any body for the action's route; a JSON object carries a `client_id` when it has none."""
    return st.one_of(schema_bodies(name), mutated_bodies(name), arbitrary_bodies(name), json_values)


action_names = st.sampled_from(sorted(ACTIONS))
