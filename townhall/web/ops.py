"""Operators' endpoints outside /api (docs/deployment.md): liveness, readiness, metrics.

`/healthz`: the process answers. `/readyz`: it should be sent traffic: the database answers a
`SELECT 1` in time, the Redis fan-out backend (when configured) is connected, and the server
is not shutting down. The dedup model is reported but never makes the server unready: votes
and questions work without it (questions wait for the sweep).

`/metrics`: Prometheus text format, for operators only: with `TOWNHALL_METRICS_TOKEN` set,
only a request bearing it; without, only a client in `TOWNHALL_METRICS_NETWORKS` (loopback by
default) that did not come through an untrusted proxy.
"""

from __future__ import annotations

import asyncio
import hmac

from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from townhall.domain.network import is_trusted, parse_networks
from townhall.web.state import AppState


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def ready(request: Request) -> Response:
    state: AppState = request.app.state.townhall
    ops = state.ops
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(state.settings.readiness_timeout_seconds):
            async with state.services.read_sessions() as session:
                await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # any failure to answer in time is "not ready"
        checks["database"] = f"unreachable: {type(error).__name__}"
    if state.settings.redis_url is not None:
        connected = state.services.hub.backend_connected
        checks["fan_out"] = "ok" if connected else "disconnected"
    checks["dedup"] = "ok" if state.dedup is not None and state.dedup.running else "degraded"
    checks["shutdown"] = "shutting down" if ops is None or ops.shutting_down else "no"
    ok = (
        checks["database"] == "ok"
        and checks.get("fan_out", "ok") == "ok"
        and checks["shutdown"] == "no"
    )
    return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)


def may_read_metrics(request: Request, state: AppState) -> int | None:
    """None when the request may read /metrics, else the status to refuse it with."""
    token = state.settings.metrics_token
    if token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        good = scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())
        return None if good else 401
    peer = request.client.host if request.client else None
    trusted = parse_networks(state.settings.trusted_proxies)
    proxied = "x-forwarded-for" in request.headers or "forwarded" in request.headers
    if proxied and not is_trusted(peer, trusted):
        return 403  # a proxy we do not know of may be forwarding the public
    address = state.clients.of(request).address
    allowed = parse_networks(state.settings.metrics_networks)
    return None if is_trusted(address, allowed) else 403


async def metrics(request: Request) -> Response:
    state: AppState = request.app.state.townhall
    refused = may_read_metrics(request, state)
    if refused == 401:
        return PlainTextResponse(
            "A bearer token is needed.\n", 401, headers={"WWW-Authenticate": "Bearer"}
        )
    if refused is not None or state.ops is None:
        return PlainTextResponse("Metrics are for operators only.\n", 403)
    body = state.ops.metrics.exposition()  # on the loop: the live figures change on it
    return Response(body, media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/healthz", health),
    Route("/readyz", ready),
    Route("/metrics", metrics),
]
