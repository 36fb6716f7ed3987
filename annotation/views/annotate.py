"""The annotator's workbench: one page, the next pair swapped in by htmx (forms work without JS)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from annotation import progress, workbench
from annotation.access import get_project_for_member
from annotation.forms import AnswerForm
from annotation.models import Project
from annotation.prerender import render_ahead, shown_html
from annotation.queue import NOT_LEASED, Answer, answer_submit, label_undo
from annotation.rendering import render_untrusted

SESSION_START = "annotate-session-start"
# What an undone answer said (rationale, strength), shown again with its pair.
RESTORE = "annotate-restore"
NOTHING_TO_UNDO = "Nothing to undo: answers can be undone for two minutes."
# The part htmx swaps after each answer, and the full page's middle.
WORKBENCH = "annotation/_workbench.html"


@login_required
def annotate(request: HttpRequest, slug: str) -> HttpResponse:
    project, _role = get_project_for_member(request, slug)
    return _workbench(request, project)


@login_required
@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    project, _role = get_project_for_member(request, slug)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _workbench(request, project, error=form.error_text(), status=400)
    lease_id = form.cleaned_data["assignment"]
    if request.htmx:  # the answer and the next pair, in one transaction
        return _workbench(request, project, answer=(lease_id, form.answer()))
    result = answer_submit(lease_id, form.answer(), annotator=request.user, project=project)
    if result is None:
        return _workbench(request, project, error=NOT_LEASED, status=400)
    return _after_write(request, project, result.message)


@login_required
@require_POST
def undo(request: HttpRequest, slug: str) -> HttpResponse:
    project, _role = get_project_for_member(request, slug)
    undone = label_undo(project=project, annotator=request.user)
    if undone is None:
        return _after_write(request, project, NOTHING_TO_UNDO)
    if undone.pair_back:
        # The next page shows the pair again with what was written about it.
        label = undone.label
        request.session[RESTORE] = {"rationale": label.rationale, "strength": label.strength}
    return _after_write(request, project, undone.message, ok=True)


def _after_write(
    request: HttpRequest, project: Project, note: str, ok: bool = False
) -> HttpResponse:
    if request.htmx:
        return _workbench(request, project, **({"notice": note} if ok else {"error": note}))
    if note:
        (messages.success if ok else messages.warning)(request, note)
    return redirect("annotate", slug=project.slug)


def _workbench(
    request: HttpRequest,
    project: Project,
    error: str = "",
    status: int = 200,
    notice: str = "",
    answer: tuple[int, Answer] | None = None,
) -> HttpResponse:
    """The workbench with the annotator's lease; with `answer` (a lease id and what was said
    about its pair), saved first."""
    since = _session_start(request)
    who = {"project_id": project.id, "annotator_id": request.user.pk, "since": since}
    mark = progress.mark(request.session, **who)
    reader = {"project": project, "annotator": request.user, "since": since, "mark": mark}
    if answer is None:
        lease, page = workbench.lease_and_page(**reader)
    else:
        result, lease, page = workbench.answer_and_page(*answer, **reader)
        error, status = (NOT_LEASED, 400) if result is None else (result.message, 200)
    progress.settle(request.session, mark, **who, counted_since_mark=page.counted_since_mark)
    context = {"project": project, "lease": lease, "error": error, "notice": notice}
    context.update(done_total=page.done_total, done_session=page.done_session)
    context.update(queue=workbench.queue_counts(project.id), restore=_restored(request, lease))
    if page.pair is not None:
        context.update(_pair_context(page.pair, project))
    return _respond(request, project, context, status)


def _respond(request: HttpRequest, project: Project, context: dict, status: int) -> HttpResponse:
    """The swapped part alone for htmx; otherwise the full page around it."""
    if request.htmx:
        return render(request, WORKBENCH, context, status=status)
    context["guidelines_html"] = render_untrusted(project.guidelines)
    return render(request, "annotation/annotate.html", context, status=status)


def _pair_context(shown: workbench.ShownPair, project: Project) -> dict:
    (left, right), rendered = shown_html([shown.left, shown.right])
    if rendered:
        render_ahead(project.id)
    return {"prompt_text": shown.prompt_text, "left_html": left, "right_html": right}


def _restored(request: HttpRequest, lease) -> dict:
    """What the annotator wrote with an answer they undid, for the pair it brings back."""
    if lease is None or RESTORE not in request.session:
        return {}
    return request.session.pop(RESTORE)


def _session_start(request: HttpRequest) -> datetime:
    """When this session first opened the annotate page (its "this session" count and its
    progress mark are kept from then on)."""
    start = parse_datetime(request.session.get(SESSION_START) or "")
    if start is None:
        start = timezone.now()
        request.session[SESSION_START] = start.isoformat()
    return start
