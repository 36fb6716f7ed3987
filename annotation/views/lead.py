"""The lead's oversight: queue, people, leases, disagreements, adjudication."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from annotation import oversight
from annotation.access import get_project_for_lead
from annotation.forms import ADJUDICATE_CHOICES, AdjudicateForm, error_text
from annotation.models import Pair, Role
from annotation.queue import assignment_release, label_adjudicate


def lead_dashboard(request: HttpRequest, project) -> HttpResponse:
    context = {
        "project": project,
        "role": Role.LEAD,
        "queue": oversight.queue_by_status(project),
        "labels_today": oversight.labels_today(project),
        "annotators": oversight.annotator_table(project),
        "recent": oversight.recent_labels(project),
        "leases": oversight.live_leases(project),
        "disagreements": oversight.disagreements(project),
    }
    return render(request, "annotation/lead_project.html", context)


@login_required
@require_POST
def lease_release(request: HttpRequest, slug: str, assignment_id: int) -> HttpResponse:
    project = get_project_for_lead(request, slug)
    if assignment_release(project=project, assignment_id=assignment_id):
        messages.success(request, "Lease released: the pair is back in the queue.")
    else:
        messages.warning(request, "That lease had already ended.")
    return redirect("project_detail", slug=project.slug)


@login_required
def adjudicate(request: HttpRequest, slug: str, pair_id: int) -> HttpResponse:
    project = get_project_for_lead(request, slug)
    pair = get_object_or_404(
        Pair.objects.select_related("prompt", "response_a", "response_b"),
        id=pair_id,
        project=project,
    )
    if request.method == "POST":
        form = AdjudicateForm(request.POST)
        if form.is_valid():
            choice = form.cleaned_data["choice"]
            label_adjudicate(
                pair=pair, lead=request.user, choice=choice,
                rationale=form.cleaned_data["rationale"],
            )  # fmt: skip
            messages.success(
                request, f"Pair {pair.id} decided: {dict(ADJUDICATE_CHOICES)[choice]}."
            )
            return redirect("project_detail", slug=project.slug)
        messages.error(request, f"Not decided ({error_text(form)}).")
    context = {
        "project": project,
        "pair": pair,
        "answers": oversight.pair_answers(pair),
        "choices": ADJUDICATE_CHOICES,
        # Blind by default: a model's name can sway the decision.
        "reveal": request.GET.get("reveal") == "models",
    }
    return render(request, "annotation/adjudicate.html", context)
