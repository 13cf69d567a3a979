"""Queue diffs: what changed between two renders of one audience's queue (pure).

A body has `event`, `totals`, `now_answering` (an item or None) and sections that are lists
of items (`open`, `answered`, and for moderators `pending`, `hidden`). A diff names the items
that changed or vanished, and each section's order only when that order changed. An item
whose only change is its vote count travels as `[id, votes]`, so a burst of votes costs a
screen a few bytes per question instead of every changed question's text (phones on weak
connections pay for every byte; the server's kernel and every client pay per byte too).
"""

from __future__ import annotations

from typing import Any

Body = dict[str, Any]
SECTIONS = ("open", "answered", "pending", "hidden")


def _items(body: Body) -> dict[int, Any]:
    found = {item["id"]: item for name in SECTIONS for item in body.get(name, ())}
    if body.get("now_answering"):
        found[body["now_answering"]["id"]] = body["now_answering"]
    return found


def _order(body: Body) -> dict[str, list[int]]:
    order = {name: [item["id"] for item in body[name]] for name in SECTIONS if name in body}
    now = body.get("now_answering")
    order["now_answering"] = [now["id"]] if now else []
    return order


def queue_diff(before: Body, after: Body) -> Body:
    """The parts of `after` that differ from `before` (apply with `apply_diff`)."""
    old_items, new_items = _items(before), _items(after)
    old_order, new_order = _order(before), _order(after)
    changed, votes = [], []
    for question_id, item in new_items.items():
        old = old_items.get(question_id)
        if old == item:
            continue
        if (
            old is not None
            and "votes" in item
            and old.get("votes") != item["votes"]
            and {**old, "votes": 0} == {**item, "votes": 0}
        ):
            votes.append([question_id, item["votes"]])
        else:
            changed.append(item)
    diff: Body = {
        "items": changed,
        "removed": sorted(key for key in old_items if key not in new_items),
        "order": {name: ids for name, ids in new_order.items() if old_order.get(name) != ids},
    }
    if votes:
        diff["votes"] = votes
    for key in ("event", "totals"):
        if before.get(key) != after.get(key):
            diff[key] = after[key]
    return diff


def apply_diff(body: Body, diff: Body) -> Body:
    """`body` brought forward by `diff` (the browser does the same in live.js)."""
    items = _items(body)
    for key in diff["removed"]:
        items.pop(key, None)
    for item in diff["items"]:
        items[item["id"]] = item
    for key, votes in diff.get("votes", ()):
        if key in items:
            items[key] = {**items[key], "votes": votes}
    order = {**_order(body), **diff["order"]}
    result: Body = {key: body[key] for key in ("event", "totals") if key in body}
    result.update({key: diff[key] for key in ("event", "totals") if key in diff})
    now = order.pop("now_answering")
    result["now_answering"] = items[now[0]] if now else None
    for name, ids in order.items():
        result[name] = [items[key] for key in ids]
    return result
