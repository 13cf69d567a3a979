"""GET /api/events/{slug}/questions/{id}/support, and the burst flag in the moderator queue."""

from __future__ import annotations

import httpx
from conftest import Database, ServerFactory, seed

from townhall.domain.provenance import ONE_NETWORK


async def test_support_breakdown_for_moderators_only_and_set_aside_over_http(
    database: Database, start_server: ServerFactory
) -> None:
    demo = await seed(database)
    server = await start_server(database)
    moderator = {"Authorization": f"Bearer {demo.moderator_key}"}
    actions = f"/api/events/{demo.slug}/actions"

    async with httpx.AsyncClient(base_url=server.base_url) as http:
        asked = await http.post(
            f"{actions}/submit_question",
            json={"client_id": "q1", "text": "Why was the budget cut without a vote?"},
        )
        question = asked.json()["result"]["question_id"]
        for n in range(24):  # a fresh cookie jar per vote, as a script would
            async with httpx.AsyncClient(base_url=server.base_url) as fresh:
                voted = await fresh.post(
                    f"{actions}/vote", json={"client_id": f"v{n}", "question_id": question}
                )
                assert voted.status_code == 200
        support = f"/api/events/{demo.slug}/questions/{question}/support"
        anonymous = await http.get(support)
        wrong_key = await http.get(support, headers={"Authorization": "Bearer nope"})
        seen = await http.get(support, headers=moderator)
        missing = await http.get(
            f"/api/events/{demo.slug}/questions/999999/support", headers=moderator
        )
        huge = await http.get(
            f"/api/events/{demo.slug}/questions/{2**63}/support", headers=moderator
        )
        public = (await http.get(f"/api/events/{demo.slug}/queue")).json()
        moderated = (await http.get(f"/api/events/{demo.slug}/queue", headers=moderator)).json()
        network = seen.json()["top_networks"][0]["network"]
        refused = await http.post(
            f"{actions}/set_aside_support",
            json={"client_id": "x1", "question_id": question, "network": network},
        )
        aside = await http.post(
            f"{actions}/set_aside_support",
            json={"client_id": "x2", "question_id": question, "network": network},
            headers=moderator,
        )
        after = (await http.get(support, headers=moderator)).json()

    body = seen.json()
    assert (anonymous.status_code, wrong_key.status_code) == (403, 403)
    assert anonymous.json()["error"]["code"] == "forbidden"
    assert (missing.status_code, huge.status_code) == (404, 404)
    assert seen.status_code == 200 and seen.headers["cache-control"] == "no-store"
    assert {k: body[k] for k in ("question_id", "supporters", "new_identities", "new_share")} == {
        "question_id": question,
        "supporters": 25,
        "new_identities": 25,
        "new_share": 1.0,
    }
    assert body["top_networks"] == [
        {"network": network, "votes": 25, "share": 1.0, "new_identities": 25}
    ]
    assert body["burst"] == {
        "reason": ONE_NETWORK,
        "network": network,
        "votes": 25,
        "window_votes": 25,
    }
    assert [item.get("support_flag") for item in moderated["open"]] == [ONE_NETWORK]
    assert "support_flag" not in str(public) and network not in str(public)
    assert refused.status_code == 403
    assert aside.status_code == 200 and aside.json()["result"]["votes"] == 0
    assert (after["supporters"], after["burst"], len(after["set_asides"])) == (0, None, 1)
    assert after["set_asides"][0]["votes"] == 25 and after["set_asides"][0]["restored_at"] is None
