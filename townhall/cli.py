"""The `townhall` command line."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import hashlib
import json
import os
import secrets
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from townhall.dedup.commands import cmd_dedup_calibrate, cmd_dedup_eval
from townhall.settings import PROJECT_ROOT, Settings, SettingsError

VAR = PROJECT_ROOT / "var"


def demo_links_file(database_url: str) -> Path:
    """Where the demo's moderator keys are kept for reprinting: one file per database."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    return VAR / f"demo-links-{digest}.json"


def _local_secret() -> str:
    """A secret kept under var/ so local cookies survive restarts (production sets its own)."""
    path = VAR / "secret-key"
    if not path.exists():
        VAR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _settings() -> Settings:
    if not os.environ.get("TOWNHALL_SECRET_KEY"):
        os.environ["TOWNHALL_SECRET_KEY"] = _local_secret()
    return Settings.from_env()


def cmd_migrate(_: argparse.Namespace) -> int:
    from townhall.store.db import ensure_sqlite_folder
    from townhall.store.migrate import upgrade

    settings = Settings.from_env()
    ensure_sqlite_folder(settings.database_url)
    upgrade(settings.database_url)
    print("database is at the newest schema")
    return 0


DEMO_ORGANISER = "organiser@demo.townhall"
DEMO_SERIES = "sg-dialogues"


async def _seed(settings: Settings) -> dict[str, Any] | None:
    from sqlalchemy import select

    from townhall.store.db import create_engine, session_factory
    from townhall.store.demo import is_empty, seed_demo
    from townhall.store.tables import Event
    from townhall.web.venue import VenueTokens

    venues = VenueTokens(settings.require_secret(), settings.venue_token_seconds)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            if not await is_empty(session):
                return None
            created = await seed_demo(session, datetime.now(UTC), verified_event=True, record=True)
            slugs = [e.slug for e in created]
            # The projector's link: with the stage key its QR code carries venue tokens.
            stage_keys = {
                event.slug: venues.stage_key(event)
                for event in await session.scalars(select(Event).where(Event.slug.in_(slugs)))
            }
    finally:
        await engine.dispose()
    password = secrets.token_urlsafe(12)
    # The demo's organiser owns the demo series (not an admin): the console shows roles.
    await _create_organiser(settings, DEMO_ORGANISER, "Demo organiser", password, owns=DEMO_SERIES)
    return {
        "events": [
            {
                "slug": e.slug,
                "code": e.code,
                "moderator_key": e.moderator_key,
                "stage_key": stage_keys[e.slug],
                "delegate_token": e.delegate_token,
            }
            for e in created
        ],
        "organiser": {"email": DEMO_ORGANISER, "password": password},
    }


def cmd_seed(_: argparse.Namespace) -> int:
    settings = _settings()
    created = asyncio.run(_seed(settings))
    if created is not None:
        VAR.mkdir(exist_ok=True)
        links = demo_links_file(settings.database_url)
        links.write_text(json.dumps(created, indent=2))
        links.chmod(0o600)
        print("seeded the demo series")
    _print_links(settings)
    return 0


def _print_links(settings: Settings) -> None:
    from townhall.store.demo_series import ENDED_SLUG

    origin = settings.public_origin
    print(f"\n  townhall is at {origin}/")
    links = demo_links_file(settings.database_url)
    if not links.exists():
        print("  (no demo links: the database was not seeded by this checkout)")
        return
    demo = json.loads(links.read_text())
    for event in demo["events"]:
        print(f"\n  event {event['slug']} (join code {event['code']})")
        print(f"    participant: {origin}/e/{event['slug']}")
        print(f"    moderator:   {origin}/e/{event['slug']}/moderate#key={event['moderator_key']}")
        stage_key = event.get("stage_key")
        keyed = f"#stage={stage_key}" if stage_key else ""
        print(f"    stage:       {origin}/e/{event['slug']}/stage{keyed}")
        if event.get("delegate_token"):  # an organisation's delegate (demo_organisations.py)
            print(f"    delegate:    {origin}/e/{event['slug']}#invite={event['delegate_token']}")
        if event["slug"] == ENDED_SLUG:  # ended, with its public record (docs/record.md)
            print(f"    record:      {origin}/e/{event['slug']}/record")
            print(f"    widget:      {origin}/e/{event['slug']}/widget")
    print(f"\n  schedule:      {origin}/s/{DEMO_SERIES}")
    print(f"  series record: {origin}/s/{DEMO_SERIES}/record")
    organiser = demo["organiser"]
    print(f"  organiser:     {origin}/organise")
    print(f"                 sign in as {organiser['email']} / {organiser['password']}\n")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from townhall.web.protocol import FramedWebSocketProtocol

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # Links printed and served should name the port actually served on.
    os.environ.setdefault("TOWNHALL_PUBLIC_ORIGIN", f"http://{args.host}:{args.port}")
    settings = _settings()
    if args.workers > 1:
        if not settings.redis_url:
            print(
                "townhall serve: --workers above 1 needs TOWNHALL_REDIS_URL: the workers share "
                "live updates, presence and dedup turns through Redis (docs/deployment.md)",
                file=sys.stderr,
            )
            return 2
        _fresh_metrics_folder()
    if args.migrate:
        cmd_migrate(args)
        cmd_seed(args)
    uvicorn.run(
        "townhall.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        ws_max_size=settings.max_frame_bytes,
        ws=FramedWebSocketProtocol,
        ws_per_message_deflate=settings.ws_compression,
        # Off: uvicorn would believe X-Forwarded-For from 127.0.0.1 whatever the settings say;
        # townhall reads it itself, from TOWNHALL_TRUSTED_PROXIES only (web/client.py).
        proxy_headers=False,
        log_level="info",
        workers=args.workers,
    )
    return 0


def _fresh_metrics_folder() -> None:
    """Prometheus' multiprocess mode, so that `/metrics` on any worker sums them all: the
    folder (PROMETHEUS_MULTIPROC_DIR, or var/prometheus) emptied before the workers start,
    since files of earlier workers would keep counting."""
    folder = Path(
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(PROJECT_ROOT / "var" / "prometheus"))
    )
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


async def _create_organiser(
    settings: Settings,
    email: str,
    name: str,
    password: str,
    *,
    admin: bool | None = None,
    owns: str | None = None,
) -> bool:
    """Create the organiser, or reset an existing one's name and password (ending every
    session of theirs). `admin` None leaves the flag as it is; `owns` makes them owner of that
    series. True when the account already existed."""
    from sqlalchemy import select

    from townhall.domain.passwords import hash_password
    from townhall.store import organisers as accounts
    from townhall.store.db import create_engine, session_factory
    from townhall.store.tables import Organiser, Series

    password_hash = hash_password(password)
    now = datetime.now(UTC)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            organiser = await accounts.by_email(session, email)
            existed = organiser is not None
            if organiser is not None:
                organiser.name, organiser.password_hash = name, password_hash
                await accounts.end_every_session(session, organiser.id)
            else:
                organiser = Organiser(
                    email=email, name=name, password_hash=password_hash, created_at=now
                )
                session.add(organiser)
            if admin is not None:
                organiser.is_admin = admin
            await session.flush()
            if owns is not None:
                series_id = await session.scalar(select(Series.id).where(Series.slug == owns))
                if series_id is not None:
                    await accounts.set_role(session, series_id, organiser.id, accounts.OWNER, now)
    finally:
        await engine.dispose()
    return existed


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("Again: ") != password:
        print("townhall: the passwords differ", file=sys.stderr)
        return None
    return password


def cmd_create_organiser(args: argparse.Namespace) -> int:
    from townhall.domain.passwords import WeakPassword

    email = args.email.strip().lower()
    if "@" not in email:
        print("townhall: --email must be an email address", file=sys.stderr)
        return 2
    password = _read_password(args)
    if password is None:
        return 2
    try:
        existed = asyncio.run(
            _create_organiser(
                _settings(), email, args.name.strip() or email, password, admin=args.admin
            )
        )
    except WeakPassword as error:
        print(f"townhall: {error}", file=sys.stderr)
        return 2
    if existed:
        print(f"organiser {email}: password reset; every session of theirs has ended")
    print(f"organiser {email} can sign in at {Settings.from_env().public_origin}/organise")
    return 0


async def _set_password(settings: Settings, email: str, password: str) -> bool:
    from townhall.domain.passwords import hash_password
    from townhall.store import organisers as accounts
    from townhall.store.db import create_engine, session_factory

    password_hash = hash_password(password)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine, write=True)() as session, session.begin():
            organiser = await accounts.by_email(session, email)
            if organiser is None:
                return False
            organiser.password_hash = password_hash
            await accounts.end_every_session(session, organiser.id)
    finally:
        await engine.dispose()
    return True


def cmd_set_password(args: argparse.Namespace) -> int:
    """Reset an organiser's password (forgotten, or suspected stolen): signs them out everywhere."""
    from townhall.domain.passwords import WeakPassword

    email = args.email.strip().lower()
    password = _read_password(args)
    if password is None:
        return 2
    try:
        found = asyncio.run(_set_password(_settings(), email, password))
    except WeakPassword as error:
        print(f"townhall: {error}", file=sys.stderr)
        return 2
    if not found:
        print(f"townhall: no organiser {email}", file=sys.stderr)
        return 1
    print(f"organiser {email}: password set; every session of theirs has ended")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Load-test a server and print one JSON document (docs/performance.md)."""
    from townhall.bench.command import run_from_args

    return run_from_args(args)


def cmd_integrity_bench(args: argparse.Namespace) -> int:
    """Vote stuffing from one address, its neighbours and a hall; print one JSON."""
    from townhall.bench.integrity_run import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="townhall", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)
    commands.add_parser(
        "seed", help="seed the demo if the database is empty; print links"
    ).set_defaults(run=cmd_seed)
    organiser = commands.add_parser(
        "create-organiser", help="create (or reset the password of) an organiser account"
    )
    organiser.add_argument("--email", required=True)
    organiser.add_argument("--name", default="")
    organiser.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    organiser.add_argument(
        "--admin",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="an admin may change every series (default: leave as it is; new: not admin)",
    )
    organiser.set_defaults(run=cmd_create_organiser)
    password = commands.add_parser(
        "set-password", help="reset an organiser's password; ends every session of theirs"
    )
    password.add_argument("--email", required=True)
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    password.set_defaults(run=cmd_set_password)
    evaluate = commands.add_parser(
        "dedup-eval", help="measure dedup on labelled question pairs (TSV)"
    )
    evaluate.add_argument(
        "--pairs", type=Path, required=True, help="id, question1, question2, is_duplicate"
    )
    evaluate.add_argument("--out", type=Path, help="write id, score, decision per pair")
    evaluate.add_argument("--thresholds", type=Path, help="scorer JSON (default: the app's)")
    evaluate.set_defaults(run=cmd_dedup_eval)
    calibrate = commands.add_parser(
        "dedup-calibrate", help="fit the scorer and bands on labelled pairs; write the JSON"
    )
    calibrate.add_argument("--pairs", type=Path, required=True, action="append")
    calibrate.add_argument("--out", type=Path, default=Path("models/dedup.json"))
    calibrate.add_argument(
        "--english",
        type=Path,
        help="calibrate the multilingual kinds; English pairs keep this scorer JSON",
    )
    calibrate.add_argument("--folds", type=int, default=5)
    calibrate.set_defaults(run=cmd_dedup_calibrate)
    serve = commands.add_parser("serve", help="serve the app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--migrate", action="store_true", help="migrate and seed first")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the port (above 1: needs TOWNHALL_REDIS_URL)",
    )
    serve.set_defaults(run=cmd_serve)
    from townhall.bench.command import parser as bench_options  # argparse only: light

    commands.add_parser(
        "bench", parents=[bench_options(add_help=False)], help="load-test; print one JSON"
    ).set_defaults(run=cmd_bench)
    from townhall.bench.integrity_run import add_arguments as integrity_options

    integrity = commands.add_parser(
        "integrity-bench", help="vote stuffing from one address vs its neighbours; print JSON"
    )
    integrity_options(integrity)
    integrity.set_defaults(run=cmd_integrity_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except SettingsError as error:
        print(f"townhall: {error}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
