"""A list of (a, b) pairs bound as one parameter and read as a table, to join on.

`tuple_(a, b).in_(pairs)` renders one bound parameter per value on every call and, on SQLite,
is planned as a scan of the whole table. Joining the pairs as a table instead lets both
databases look each pair up in the two-column index, with the SQL compiled once: SQLite reads
them from a JSON array (`json_each`), PostgreSQL from two arrays (`unnest`).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import ARRAY, Integer, String, Subquery, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine


def pairs_table(
    session: AsyncSession,
    pairs: Collection[tuple[Any, Any]],
    types: tuple[TypeEngine[Any], TypeEngine[Any]] = (String(), String()),
) -> Subquery:
    """A subquery with columns `first` and `second`, one row per pair."""
    if session.get_bind().dialect.name == "postgresql":
        firsts = bindparam("pair_firsts", [a for a, _ in pairs], type_=ARRAY(types[0]))
        seconds = bindparam("pair_seconds", [b for _, b in pairs], type_=ARRAY(types[1]))
        return select(
            func.unnest(firsts).label("first"), func.unnest(seconds).label("second")
        ).subquery("pairs")
    rows = func.json_each(bindparam("pairs_json", json.dumps(list(pairs)))).table_valued("value")
    return select(
        func.json_extract(rows.c.value, "$[0]", type_=types[0]).label("first"),
        func.json_extract(rows.c.value, "$[1]", type_=types[1]).label("second"),
    ).subquery("pairs")


INTEGER_STRING = (Integer(), String())
