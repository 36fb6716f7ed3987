"""Responses are shown as stored renderings: made once, by a worker ahead of the annotators where
one runs, else on first view, and made again only when the text or the renderer changes."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from annotation.models import Pair, PairStatus, Response
from annotation.rendering import RENDERER, html_key, render_untrusted


def shown_html(responses: list[tuple[int, str, str, str]]) -> tuple[list[SafeString], int]:
    """Each (id, text, stored html, stored key) as HTML: the stored rendering while its key
    matches the text, else rendered now and stored. Also: how many had to be rendered."""
    shown, rendered = [], 0
    for response_id, text, html, key in responses:
        wanted = html_key(text)
        if key != wanted:
            html, rendered = str(render_untrusted(text)), rendered + 1
            Response.objects.filter(id=response_id).update(html=html, html_key=wanted)
        shown.append(mark_safe(html))  # noqa: S308 (stored only after sanitising)
    return shown, rendered


AHEAD_EVERY_SECONDS = 300


def render_ahead(project_id: int) -> bool:
    """Ask a worker to render the project's other open pairs before anyone opens them; at most
    once per AHEAD_EVERY_SECONDS per project. Without workers (tasks run in the request) the
    page renders as it goes instead. True if a worker was asked."""
    from annotation.tasks import render_responses_ahead

    if render_responses_ahead.app.conf.task_always_eager:
        return False
    if not cache.add(f"render-ahead:{project_id}", 1, timeout=AHEAD_EVERY_SECONDS):
        return False
    render_responses_ahead.delay_on_commit(project_id)
    return True


def responses_render(*, project_id: int, batch: int = 200) -> int:
    """Render and store every response of the project's open pairs whose rendering is missing
    or from an older renderer; the count rendered. Safe to run twice or beside the page."""
    done = 0
    while stale := _stale(project_id, batch):
        for response in stale:
            response.html = str(render_untrusted(response.text))
            response.html_key = html_key(response.text)
        Response.objects.bulk_update(stale, ["html", "html_key"])
        done += len(stale)
    return done


def _stale(project_id: int, batch: int) -> list[Response]:
    open_pairs = Pair.objects.filter(project_id=project_id, status=PairStatus.OPEN)
    shown = Q(id__in=open_pairs.values("response_a_id")) | Q(
        id__in=open_pairs.values("response_b_id")
    )
    stale = Response.objects.filter(shown).exclude(html_key__startswith=f"{RENDERER}:")
    return list(stale.order_by("id").only("id", "text")[:batch])
