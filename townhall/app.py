"""Build the Starlette app; its lifespan creates the engine, hub and dedup worker once."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from townhall.actions import moderation, questions  # noqa: F401  (registers the actions)
from townhall.actions.asking import QuestionBatcher
from townhall.actions.base import Services
from townhall.actions.views import load_queue
from townhall.actions.votes import VoteBatcher
from townhall.dedup.embedder import Embedder
from townhall.dedup.model_process import ProcessEmbedder
from townhall.dedup.multilingual import load_embedder
from townhall.dedup.routing import RoutingScorer, load_scorer
from townhall.dedup.worker import DedupWorker
from townhall.live.backends import backend_for
from townhall.live.hub import Hub
from townhall.runtime import tune_garbage_collector
from townhall.settings import Settings
from townhall.store.committer import GroupCommitter
from townhall.store.db import create_engine, session_factory
from townhall.web import api, calendar, pages, stage
from townhall.web import organisers as organisers_api
from townhall.web.auth import ParticipantCookies
from townhall.web.client import ClientIdentifier
from townhall.web.messages import render_queue
from townhall.web.openapi import openapi
from townhall.web.organiser_auth import OrganiserAuth
from townhall.web.ratelimit import ActionLimits
from townhall.web.state import AppState
from townhall.web.ws import event_socket

log = logging.getLogger(__name__)


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


def create_app(
    settings: Settings, *, embedder: Embedder | None = None, db_schema: str | None = None
) -> Starlette:
    """The whole service. Tests pass an already-loaded embedder to load the model once."""
    secure = settings.public_origin.startswith("https://")
    cookies = ParticipantCookies(settings.require_secret(), secure=secure)
    organisers = OrganiserAuth(settings.require_secret(), secure=secure)
    clients = ClientIdentifier(
        settings.require_secret(), settings.trusted_proxies, public_https=secure
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, schema=db_schema)
        read_sessions = session_factory(engine)
        write_sessions = session_factory(engine, write=True)

        async def render(event_id: int, online: int) -> Mapping[str, dict[str, Any]]:
            current = await load_queue(read_sessions, event_id, online)
            return render_queue(current.event, current.queue) if current else {}

        hub = Hub(backend_for(settings.redis_url), render, tick_seconds=settings.tick_seconds)
        committer = GroupCommitter(write_sessions)
        services = Services(
            read_sessions=read_sessions,
            write_sessions=write_sessions,
            hub=hub,
            committer=committer,
            origin=settings.public_origin,
        )
        scorer = load_scorer(settings.dedup_thresholds)
        # The scorer's config names the encoders its vectors come from.
        multilingual = scorer.encoder if isinstance(scorer, RoutingScorer) else None
        model: Embedder
        if embedder is not None:
            model = embedder
        else:
            load = ProcessEmbedder if settings.model_process else load_embedder
            model = await asyncio.to_thread(
                functools.partial(load, multilingual=multilingual), settings.resolved_model_path()
            )
        expected = scorer.dimension if isinstance(scorer, RoutingScorer) else None
        if expected is not None and model.dimension != expected:
            raise RuntimeError(
                f"{settings.dedup_thresholds} expects {expected}-dimensional embeddings, the "
                f"embedder gives {model.dimension}"
            )
        dedup = DedupWorker(
            model,
            scorer,
            read_sessions=read_sessions,
            write_sessions=write_sessions,
            notify=hub.notify,
            queue_size=settings.dedup_queue_size,
            batch_size=settings.dedup_batch_size,
            clock=services.clock,
        )
        services.dedup = dedup
        votes = VoteBatcher(
            services,
            max_batch=settings.vote_batch_size,
            flush_seconds=settings.batch_flush_seconds,
        )
        services.votes = votes
        asking = QuestionBatcher(services, flush_seconds=settings.batch_flush_seconds)
        services.asking = asking
        app.state.townhall = AppState(
            settings,
            services,
            cookies,
            dedup,
            organisers,
            ActionLimits(settings.rate_questions, settings.rate_actions, settings.rate_frames),
            clients,
        )
        await committer.start()
        await votes.start()
        await asking.start()
        await hub.start()
        await dedup.start()
        tune_garbage_collector()
        try:
            yield
        finally:
            await dedup.stop()
            await hub.stop()
            await votes.stop()
            await asking.stop()
            await committer.stop()
            await engine.dispose()
            if embedder is None and isinstance(model, ProcessEmbedder):
                await asyncio.to_thread(model.close)  # the one this app started

    routes = [
        Route("/healthz", health),
        Route("/openapi.json", openapi),
        *api.routes,
        *calendar.routes,
        *stage.routes,
        *organisers_api.routes,
        WebSocketRoute("/ws/events/{slug}", event_socket),
        *pages.routes,
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(GZipMiddleware, minimum_size=500)],
    )


def app_from_env() -> Starlette:
    """The ASGI factory uvicorn runs (`uvicorn --factory townhall.app:app_from_env`)."""
    return create_app(Settings.from_env())
