"""The lead's selection page: start runs, watch them live (htmx polling), retry failures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from annotation.access import get_project_for_lead
from annotation.models import Pair
from annotation.views.jobs import render_live
from selection.charts import histogram_svg
from selection.columns import vector_warnings
from selection.embedding import embedding_progress
from selection.models import ModelProfile, SelectionRun
from selection.profiles import competency_columns
from selection.runs.active import ACTIVE
from selection.runs.batches import start_due_batches
from selection.runs.services import SelectionError, selection_run_retry, selection_run_start
from selection.strategies import STRATEGIES


@login_required
def runs(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_lead(request, slug)
    if request.method == "POST":
        return _start(request, project)
    context = _runs_context(project)
    return render_live(request, "selection/runs.html", "selection/_runs_live.html", context)


def _start(request: HttpRequest, project) -> HttpResponse:
    post = request.POST
    try:
        params = {
            "pairs_per_prompt": int(post.get("pairs_per_prompt") or 1),
            "weight": float(post.get("weight") or 1),
            "seed": int(post["seed"]) if post.get("seed") else None,
        }
        if post.get("budget"):
            params["budget"] = int(post["budget"])
        if params["pairs_per_prompt"] < 1:
            raise ValueError("pairs per prompt must be at least 1")
        run = selection_run_start(
            project=project, strategy=post.get("strategy", ""), arm=post.get("arm") or None,
            params=params,
        )  # fmt: skip
    except (ValueError, SelectionError) as exc:
        messages.error(request, f"The run was not started: {exc}")
    else:
        messages.success(request, f"Run {run.id} ({run.strategy}, arm {run.arm}) started.")
    return redirect("selection_runs", slug=project.slug)


@login_required
@require_POST
def retry(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    project = get_project_for_lead(request, slug)
    run = get_object_or_404(SelectionRun, id=run_id, project=project)
    selection_run_retry(run=run)
    messages.success(request, f"Run {run.id} queued again.")
    return redirect("selection_runs", slug=project.slug)


@login_required
@require_POST
def next_batch(request: HttpRequest, slug: str) -> HttpResponse:
    """Start every active-learning arm's next batch now, without waiting for its labels."""
    project = get_project_for_lead(request, slug)
    started = start_due_batches(project=project, force=True)
    if started:
        messages.success(request, f"Next batch started: {', '.join(r.arm for r in started)}.")
    else:
        messages.error(request, "No next batch started: a batch is still being chosen.")
    return redirect("selection_runs", slug=project.slug)


def _vector_context(project) -> dict:
    """The benchmark vector KARMA compares, as imported, with a warning per column that looks
    like a count, an error or a length rather than a score."""
    profiles = list(ModelProfile.objects.filter(project=project))
    columns = competency_columns(profiles)
    warnings = vector_warnings(columns)
    return {"vector_columns": columns, "profiles": len(profiles), "vector_warnings": warnings}


def _runs_context(project) -> dict:
    runs = list(SelectionRun.objects.filter(project=project).order_by("-created_at")[:30])
    for run in runs:
        run.histogram = histogram_svg(run.counts.get("score_histogram") or {})
    arms: dict[str, dict[str, int]] = {}
    for row in Pair.objects.filter(project=project).values("arm", "status").annotate(n=Count("id")):
        arms.setdefault(row["arm"], {})[row["status"]] = row["n"]
    embedded, total = embedding_progress(project.id)
    return _vector_context(project) | {
        "project": project,
        "runs": runs,
        "arms": sorted(arms.items()),
        "strategies": sorted(STRATEGIES.values(), key=lambda s: s.name),
        "embedded": embedded,
        "responses": total,
        "active_arms": sorted({r.arm for r in runs if r.strategy == ACTIVE}),
    }
