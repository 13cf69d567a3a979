"""The embeddable widget for media partners: `/e/{slug}/widget`, rendered on the server so it
works without script (docs/record.md, "Widget").

Live, it shows the question being answered and the next three of the queue; after the event,
the questions answered in order with links into the recording and to the full record; before
it, when it starts. Small (under 20 KB with its style sheet and script), framable by any site
(web/security.py makes this route the one exception), in the language of `?lang=` or
Accept-Language. Its optional script (/static/js/widget.js) reloads the same address every
20 seconds and swaps the content in; without script the page is a snapshot (no
`<meta refresh>`: a page that reloads itself on a timer fails WCAG 2.2.1).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from townhall.domain.record import Group, Recording, Wording, answered_in_order
from townhall.domain.recording import recording_link
from townhall.store import queries
from townhall.store import record as store
from townhall.web.catalogue import RTL, choose_language, translate
from townhall.web.state import AppState

WIDGET_ANSWERED = 10  # the rest is one link away, on the full record
# A question longer than this is cut (at a space when there is one near): the widget stays
# small (tests/web/test_widget.py) and the full text is one link away.
SHORT_TEXT = 240


def shorten(text: str, limit: int = SHORT_TEXT) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.75 else cut).rstrip() + "…"


def pick_wording(group: Group, language: str) -> Wording:
    """As the pages do (frontend/js/wordings.js): the first in the reader's language, else
    the root's."""
    return next((w for w in group.wordings if w.language == language), group.wordings[0])


def _question(group: Group, language: str) -> str:
    wording = pick_wording(group, language)
    lang = f' lang="{escape(wording.language)}"' if wording.language else ""
    return f'<q dir="auto"{lang}>{escape(shorten(wording.text))}</q>'


def _clock(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f'<time datetime="{local.isoformat()}">{local:%H:%M}</time>'


class Page:
    """One rendering of the widget in one language."""

    def __init__(self, language: str, origin: str, slug: str) -> None:
        self.language = language
        self.origin = origin
        self.slug = slug

    def t(self, key: str, **values: str) -> str:
        return escape(translate(self.language, key, **values))

    def link(self, href: str, text: str, *, cls: str = "") -> str:
        attributes = f' class="{cls}"' if cls else ""
        return f'<a href="{escape(href)}" target="_blank" rel="noopener"{attributes}>{text}</a>'

    def live(self, on_stage: list[Group], upcoming: list[Group]) -> str:
        now = (
            f"<p>{_question(on_stage[0], self.language)}</p>"
            if on_stage
            else f'<p class="muted">{self.t("wdg_none_now")}</p>'
        )
        if upcoming:
            items = "".join(f"<li>{_question(g, self.language)}</li>" for g in upcoming)
            waiting = f"<ol>{items}</ol>"
        else:
            waiting = f'<p class="muted">{self.t("wdg_none_next")}</p>'
        return (
            f'<section aria-labelledby="w-now" aria-live="polite">'
            f'<h2 id="w-now">{self.t("wdg_now")}</h2>{now}</section>'
            f'<section aria-labelledby="w-next"><h2 id="w-next">{self.t("wdg_next")}</h2>'
            f"{waiting}</section>"
        )

    def ended(self, groups: list[Group], recording: Recording | None, zone: str) -> str:
        rows = []
        for group in groups[:WIDGET_ANSWERED]:
            taken = group.taken[0]
            watch = (
                " "
                + self.link(
                    recording_link(recording.url, recording.started_at, taken),
                    self.t("wdg_watch"),
                )
                if recording
                else ""
            )
            record_link = f"{self.origin}/e/{self.slug}/record#q-{group.root_id}"
            rows.append(
                f"<li>{_question(group, self.language)}"
                f'<span class="meta">{self.link(record_link, _clock(taken, zone))}{watch}</span>'
                "</li>"
            )
        body = (
            f"<ol>{''.join(rows)}</ol>"
            if rows
            else f'<p class="muted">{self.t("rec_answered_none")}</p>'
        )
        zone_note = self.t("rec_times_zone", zone=zone.replace("_", " "))
        full = self.link(f"{self.origin}/e/{self.slug}/record", self.t("wdg_record"))
        return (
            f'<section aria-labelledby="w-done"><h2 id="w-done">{self.t("rec_answered")}</h2>'
            f'{body}<p class="muted">{zone_note}</p><p>{full}</p></section>'
        )

    def document(self, title: str, status: str, content: str) -> str:
        direction = "rtl" if self.language in RTL else "ltr"
        heading = f'<span dir="auto">{escape(title)}</span>'
        return (
            f'<!doctype html><html lang="{self.language}" dir="{direction}"><head>'
            '<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
            f"<title>{escape(title)}</title>"
            '<link rel="icon" href="data:,">'
            '<link rel="stylesheet" href="/static/css/widget.css">'
            '<script src="/static/js/widget.js" defer></script></head>'
            f'<body><main id="w"><h1>{heading}</h1>'
            f'<p><span class="badge" data-status="{status}">{self.t(f"status_{status}")}</span></p>'
            f"{content}"
            f'<p class="foot">{self.link(f"{self.origin}/e/{self.slug}", self.t("wdg_open"))}'
            "</p></main></body></html>"
        )


async def widget(request: Request) -> Response:
    state: AppState = request.app.state.townhall
    slug = request.path_params["slug"]
    language = choose_language(
        request.query_params.get("lang"), request.headers.get("accept-language")
    )
    page = Page(language, state.settings.public_origin, slug)
    now = state.services.clock()
    async with state.services.read_sessions() as session:
        event = await queries.event_by_slug(session, slug)
        if event is None:
            return HTMLResponse(page.t("rec_missing"), status_code=404)
        if event.status == "cancelled":
            status, content = "cancelled", f"<p>{page.t('wdg_cancelled')}</p>"
        elif store.has_ended(event, now):
            inputs = await store.record_inputs(
                session, event, state.settings.public_origin, state.settings.privacy_min_group
            )
            answered = answered_in_order(inputs.groups)
            status = "ended"
            content = page.ended(answered, inputs.recording, event.timezone)
        elif store.aware(event.starts_at) > now:
            status = "scheduled"
            start = _clock(store.aware(event.starts_at), event.timezone)
            day = store.aware(event.starts_at).astimezone(ZoneInfo(event.timezone)).date()
            zone = escape(event.timezone.replace("_", " "))
            content = f"<p>{page.t('wdg_starts')} {day.isoformat()} {start} ({zone})</p>"
        else:
            on_stage, upcoming = await store.live_groups(session, event.id)
            status, content = "live", page.live(on_stage, upcoming)
    return HTMLResponse(
        page.document(event.title, status, content),
        headers={
            "Cache-Control": "public, max-age=10",
            "Content-Language": language,
            "Vary": "Accept-Language",
        },
    )


routes = [Route("/e/{slug}/widget", widget, methods=["GET"])]
