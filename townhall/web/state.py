"""The app's typed state, built once in the lifespan and read by every route."""

from __future__ import annotations

from dataclasses import dataclass, field

from townhall.actions.base import Services
from townhall.actions.spread import SpreadCache
from townhall.dedup.worker import DedupWorker
from townhall.live.metrics import Metrics
from townhall.settings import Settings
from townhall.web.access_desk import AccessDesk
from townhall.web.admission import Admission
from townhall.web.auth import ParticipantCookies
from townhall.web.client import ClientIdentifier
from townhall.web.organiser_auth import OrganiserAuth
from townhall.web.ratelimit import ActionLimits
from townhall.web.venue import VenueTokens


@dataclass
class Operations:
    """What the operators' endpoints read (web/ops.py)."""

    metrics: Metrics
    shutting_down: bool = False


@dataclass
class AppState:
    settings: Settings
    services: Services
    cookies: ParticipantCookies
    dedup: DedupWorker | None
    organisers: OrganiserAuth
    limits: ActionLimits
    clients: ClientIdentifier
    admission: Admission
    venues: VenueTokens
    access: AccessDesk | None = None  # participation modes (web/access.py)
    spreads: SpreadCache = field(default_factory=SpreadCache)  # regional balance (web/spread.py)
    ops: Operations | None = None
