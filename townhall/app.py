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
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp

from townhall.actions import (  # noqa: F401  (registers them)
    endorsements,
    moderation,
    provenance,
    questions,
)
from townhall.actions.asking import QuestionBatcher
from townhall.actions.base import Services
from townhall.actions.cadence import BeforeTick, FixedWindow
from townhall.actions.queue_reader import QueueReader
from townhall.actions.retention import NetworkRetention
from townhall.actions.views import EndorsementCache, SupportFlags
from townhall.actions.vote_batcher import VoteBatcher
from townhall.dedup.embedder import Embedder
from townhall.dedup.model_process import ProcessEmbedder
from townhall.dedup.multilingual import load_embedder
from townhall.dedup.routing import RoutingScorer, load_scorer
from townhall.dedup.worker import DedupWorker
from townhall.live.backends import backend_for
from townhall.live.hub import Hub
from townhall.live.metrics import Metrics
from townhall.runtime import tune_garbage_collector, tune_switch_interval
from townhall.settings import Settings
from townhall.store.committer import GroupCommitter
from townhall.store.db import create_engine, dispose_within, session_factory
from townhall.web import access as access_api
from townhall.web import (
    api,
    calendar,
    catalogue,
    ops,
    pages,
    series_record,
    spread,
    stage,
    support,
)
from townhall.web import organisations as organisations_api
from townhall.web import organisers as organisers_api
from townhall.web import record as record_api
from townhall.web import widget as widget_api
from townhall.web.access_desk import AccessDesk
from townhall.web.admission import Admission, limits_from
from townhall.web.auth import ParticipantCookies
from townhall.web.body_limit import BodyLimit
from townhall.web.client import ClientIdentifier
from townhall.web.drain import drain_on_sigterm
from townhall.web.messages import render_queue
from townhall.web.openapi import openapi
from townhall.web.organiser_auth import OrganiserAuth
from townhall.web.ratelimit import ActionLimits
from townhall.web.security import SecurityHeaders
from townhall.web.sign_in_limits import SignInLimits
from townhall.web.state import AppState, Operations
from townhall.web.venue import VenueTokens
from townhall.web.ws import event_socket

log = logging.getLogger(__name__)


class TownhallApp(Starlette):
    """Starlette with the security headers outside its error middleware, so that even the bare
    500 page it writes for an unhandled error carries them."""

    def __init__(self, *, security_headers: dict[str, str], **kwargs: Any) -> None:
        self._security_headers = security_headers
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), **self._security_headers)


def create_app(
    settings: Settings, *, embedder: Embedder | None = None, db_schema: str | None = None
) -> Starlette:
    """The whole service. Tests pass an already-loaded embedder to load the model once."""
    secure = settings.public_origin.startswith("https://")
    clients = ClientIdentifier(
        settings.require_secret(), settings.trusted_proxies, public_https=secure
    )
    venues = VenueTokens(settings.require_secret(), settings.venue_token_seconds)
    cookies = ParticipantCookies(settings.require_secret(), clients)
    organisers = OrganiserAuth(
        settings.require_secret(),
        clients,
        session_hours=settings.organiser_session_hours,
        limits=SignInLimits(
            settings.require_secret(),
            network=settings.sign_in_rate_network,
            account_network=settings.sign_in_rate_account_network,
            account=settings.sign_in_rate_account,
            device=settings.sign_in_rate_device,
        ),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, schema=db_schema)
        read_sessions = session_factory(engine)
        write_sessions = session_factory(engine, write=True)

        flags = SupportFlags(on_due=lambda event_id: hub.rerender(event_id))
        endorsed = EndorsementCache(on_due=lambda event_id: hub.rerender(event_id))

        metrics = Metrics(
            slow_batch_seconds=settings.slow_batch_ms / 1000,
            slow_tick_seconds=settings.slow_tick_ms / 1000,
        )
        queues = QueueReader(read_sessions, flags=flags, endorsements=endorsed, metrics=metrics)

        async def render(
            event_id: int, online: int, audiences: frozenset[str], changed: frozenset[int] | None
        ) -> Mapping[str, dict[str, Any]]:
            current = await queues.read(event_id, online, changed)
            if current is None:
                return {}
            return render_queue(current.event, current.queue, current.flags, audiences)

        hub = Hub(
            backend_for(settings.redis_url),
            render,
            tick_seconds=settings.tick_seconds,
            metrics=metrics,
        )
        metrics.live.sockets = lambda: hub.audiences
        committer = GroupCommitter(write_sessions, observe=metrics.observe_commit)
        services = Services(
            read_sessions=read_sessions,
            write_sessions=write_sessions,
            hub=hub,
            committer=committer,
            origin=settings.public_origin,
            support_flags=flags,
            metrics=metrics,
            endorsements=endorsed,
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
                functools.partial(
                    load,
                    multilingual=multilingual,
                    runtime=settings.model_runtime,
                    cache=settings.model_cache,
                ),
                settings.resolved_model_path(),
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
            notify_rows=hub.notify_rows,
            queue_size=settings.dedup_queue_size,
            batch_size=settings.dedup_batch_size,
            gather_seconds=settings.dedup_gather_seconds,
            clock=services.clock,
        )
        services.dedup = dedup
        metrics.live.dedup_queue = lambda: dedup.queued
        # One closing shared by both batchers: they close together and share a transaction.
        closing = (
            BeforeTick(lambda: hub.next_tick_at, hub.tick_seconds)
            if settings.batch_before_tick
            else FixedWindow(settings.batch_flush_seconds)
        )
        votes = VoteBatcher(
            services,
            max_batch=settings.vote_batch_size,
            max_wait=settings.max_wait_seconds,
            closing=closing,
        )
        services.votes = votes
        asking = QuestionBatcher(services, max_wait=settings.max_wait_seconds, closing=closing)
        services.asking = asking
        app.state.townhall = AppState(
            settings,
            services,
            cookies,
            dedup,
            organisers,
            ActionLimits(settings.rate_questions, settings.rate_actions, settings.rate_frames),
            clients,
            Admission(
                limits_from(settings),
                read_sessions,
                redis_url=settings.redis_url,
                grant_seconds=settings.venue_grant_seconds,
            ),
            venues,
            access=AccessDesk.from_settings(settings),
            ops=Operations(metrics),
        )
        retention = NetworkRetention(services, settings.network_retention_days)
        await committer.start()
        await retention.start()
        await votes.start()
        await asking.start()
        await hub.start()
        await dedup.start()
        tune_garbage_collector()
        tune_switch_interval(settings.switch_interval_ms / 1000)
        operations = app.state.townhall.ops
        restore_signal = drain_on_sigterm(
            settings.shutdown_drain_seconds, lambda: setattr(operations, "shutting_down", True)
        )
        try:
            yield
        finally:
            restore_signal()
            # Unready first, so that a load balancer still asking stops sending traffic.
            operations.shutting_down = True
            await dedup.stop()
            await hub.stop()
            await votes.stop()
            await asking.stop()
            await retention.stop()
            await committer.stop()
            await app.state.townhall.admission.close()
            await dispose_within(engine)
            if embedder is None and isinstance(model, ProcessEmbedder):
                await asyncio.to_thread(model.close)  # the one this app started

    routes = [
        *ops.routes,
        Route("/openapi.json", openapi),
        *api.routes,
        *support.routes,
        *spread.routes,
        *calendar.routes,
        *stage.routes,
        *organisers_api.routes,
        *access_api.routes,
        *series_record.routes,
        *record_api.routes,
        *widget_api.routes,
        *organisations_api.routes,
        WebSocketRoute("/ws/events/{slug}", event_socket),
        *catalogue.routes,
        *pages.routes,
    ]
    return TownhallApp(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: api.routing_error, 405: api.routing_error},
        middleware=[
            Middleware(
                BodyLimit,
                max_bytes=settings.max_body_bytes,
                larger=[(access_api.IMPORT_PATH, access_api.MAX_BODY)],
            ),
            Middleware(GZipMiddleware, minimum_size=500),
        ],
        security_headers={
            "public_origin": settings.public_origin,
            "frame_ancestors": settings.frame_ancestors,
        },
    )


def app_from_env() -> Starlette:
    """The ASGI factory uvicorn runs (`uvicorn --factory townhall.app:app_from_env`)."""
    return create_app(Settings.from_env())
