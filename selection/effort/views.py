"""The lead's effort dashboard: live figures per arm and annotator, effort saved (simulated and
from real labels), charts as server-side SVG, every table as CSV."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from annotation.access import get_project_for_lead
from annotation.views.jobs import render_live
from selection import charts
from selection.effort import dashboard, minimums
from selection.effort.services import DEFAULTS, SIMULATED, EffortError, effort_run_start
from selection.effort.simulate import FEATURES
from selection.models import EffortRun, SpaRound
from selection.spa.errors import SpaError
from selection.spa.judging import JUDGES, default_judge
from selection.spa.review import round_figures, spa_round_apply, spa_round_revert
from selection.spa.services import DEFAULTS as SPA_DEFAULTS
from selection.spa.services import spa_round_preview, spa_round_start

# The SPA form's fields, passed unchanged from the form to the confirmation and back.
SPA_FIELDS = ("judge", "noisy_share", "audit_share", "low_confidence", "min_confidence",
              "min_seed", "min_audit", "min_audit_accuracy", "arm", "limit", "epochs",
              "expand")  # fmt: skip


@login_required
def effort(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_lead(request, slug)
    context = _context(project)
    return render_live(request, "selection/effort.html", "selection/_effort_live.html", context)


def _latest(project, kind: str) -> EffortRun | None:
    return EffortRun.objects.filter(project=project, kind=kind).order_by("-created_at").first()


def _context(project) -> dict:
    figures = dashboard.figures(project)
    simulation = _latest(project, EffortRun.Kind.SIMULATION)
    live = _latest(project, EffortRun.Kind.LIVE)
    spa_sim = _latest(project, EffortRun.Kind.SPA)
    return {
        "project": project, "figures": figures, "simulation": simulation, "live_run": live,
        "spa_sim": spa_sim,
        "simulation_result": _result(simulation), "live_result": _result(live),
        "simulation_charts": _effort_charts(simulation), "live_charts": _effort_charts(live),
        "seconds_chart": _seconds_chart(figures["seconds_histogram"]),
        "throughput_chart": _throughput_chart(figures["throughput"]),
        "strategies": SIMULATED, "defaults": DEFAULTS, "features": FEATURES,
        "spa_rounds": _spa_rounds(project),
        "tasks_in_process": settings.CELERY_TASK_ALWAYS_EAGER,
        "spa_defaults": SPA_DEFAULTS | {"judge": default_judge()}, "spa_judges": JUDGES,
    }  # fmt: skip


def _spa_rounds(project) -> list[tuple[SpaRound, dict]]:
    rounds = SpaRound.objects.filter(project=project).order_by("number")
    return [(r, round_figures(r) if r.status == SpaRound.Status.DONE else {}) for r in rounds]


@login_required
@require_GET
def spa_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """What a round would do, and a form that starts it: nothing starts before that POST."""
    project = get_project_for_lead(request, slug)
    raw = _spa_raw(request.GET)
    try:
        preview = spa_round_preview(project=project, params=raw)
    except SpaError as exc:
        messages.error(request, f"SPA round not started: {exc}")
        return redirect(reverse("effort", args=[project.slug]) + "#spa-form")
    last = SpaRound.objects.filter(project=project).order_by("-number").first()
    context = {"project": project, "preview": preview, "params": preview["params"],
               "raw": {k: v for k, v in raw.items() if v is not None}
               | {"judge": preview["params"]["judge"]},
               "number": last.number + 1 if last else 1,
               "judge": JUDGES[preview["params"]["judge"]],
               "spa_sim": _latest(project, EffortRun.Kind.SPA)}  # fmt: skip
    return render(request, "selection/spa_confirm.html", context)


@login_required
@require_POST
def spa_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Starts a round only when the confirmation page's form says so; otherwise shows it."""
    project = get_project_for_lead(request, slug)
    raw = _spa_raw(request.POST)
    if request.POST.get("confirm") != "yes":
        query = urlencode({k: v for k, v in raw.items() if v is not None})
        return redirect(reverse("spa_confirm", args=[project.slug]) + f"?{query}")
    try:
        started = spa_round_start(project=project, params=raw)
    except SpaError as exc:
        messages.error(request, f"SPA round not started: {exc}")
    else:
        level, text = _started_message(started)
        messages.add_message(request, level, text)
    return redirect("effort", slug=project.slug)


def _spa_raw(data) -> dict:
    return {k: data.get(k) or None for k in SPA_FIELDS}


def _started_message(spa_round: SpaRound) -> tuple[int, str]:
    """What happened: with in-process tasks the round has run already; otherwise it waits."""
    n = spa_round.number
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return messages.SUCCESS, f"SPA round {n} queued for a worker on the gpu queue."
    spa_round.refresh_from_db()
    if spa_round.status == SpaRound.Status.FAILED:
        return messages.ERROR, f"SPA round {n} failed: {spa_round.error}"
    if spa_round.status != SpaRound.Status.DONE:
        return messages.INFO, f"SPA round {n} is running in this process."
    f = round_figures(spa_round)
    return messages.SUCCESS, (
        f"SPA round {n} finished: judged {f['judged']}, held {f['auto_labeled']} pending audit, "
        f"{f['sent_to_people']} sent to people."
    )


@login_required
@require_POST
def spa_apply(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _spa_review(request, slug, number, spa_round_apply, "applied", _applied)


@login_required
@require_POST
def spa_revert(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _spa_review(request, slug, number, spa_round_revert, "reverted", _reverted)


def _spa_review(request: HttpRequest, slug: str, number: int, review: Callable[..., Any],
                verb: str, said: Callable[[Any], str]) -> HttpResponse:  # fmt: skip
    """Apply or revert a round; the message says what the service did, or why it would not."""
    project = get_project_for_lead(request, slug)
    spa_round = get_object_or_404(SpaRound, project=project, number=number)
    try:
        done = review(spa=spa_round)
    except SpaError as exc:
        messages.error(request, f"Not {verb}: {exc}")
    else:
        messages.success(request, f"SPA round {number} {verb}: {said(done)}")
    return redirect("effort", slug=project.slug)


def _applied(spa_round: SpaRound) -> str:
    c = spa_round.counts
    return (f"{c['applied']} pairs labeled by the judge, {c['kept_for_people']} left to people "
            "who answered or took them meanwhile.")  # fmt: skip


def _reverted(done: dict) -> str:
    return f"{done['labels']} judge labels superseded, {done['reopened']} pairs back in the queue."


def _result(run: EffortRun | None) -> dict | None:
    """A finished run's figures with the minimums applied (again: runs stored before a
    minimum existed or changed show what today's rule allows)."""
    if run is None or run.status != EffortRun.Status.DONE:
        return None
    return minimums.apply(run.result)


def _effort_charts(run: EffortRun | None) -> dict | None:
    result = _result(run)
    if result is None:
        return None
    arms, target, baseline = result["arms"], result.get("target"), result.get("baseline")
    return {
        "curves": charts.learning_curves_svg(arms, target, result.get("length_accuracy")),
        "saved_labels": charts.savings_svg(arms, "saved_labels", baseline),
        "saved_seconds": charts.savings_svg(arms, "saved_seconds", baseline),
    }


def _seconds_chart(histogram: dict):
    edges = histogram["edges"]
    names = [f"{a:g}–{b:g}" for a, b in zip(edges[:-2], edges[1:-1], strict=True)]
    names.append(f"≥ {edges[-2]:g}")
    return charts.bars_svg(
        histogram["counts"], names, x_title="active seconds per label", y_title="labels",
        label="seconds per label",
    )  # fmt: skip


THROUGHPUT_BARS = 48  # more buckets than this are merged, a few hours or days to a bar


def _throughput_chart(series: dict):
    counts, unit = series["counts"], series["unit"]
    if not counts:
        return charts.bars_svg([], [], x_title="", y_title="", label="labels over time")
    merge = math.ceil(len(counts) / THROUGHPUT_BARS)
    counts = [sum(counts[i : i + merge]) for i in range(0, len(counts), merge)]
    start = datetime.fromisoformat(series["start"])
    step = (timedelta(hours=1) if unit == "hour" else timedelta(days=1)) * merge
    fmt = "%d %b %H:00" if unit == "hour" else "%d %b"
    names = [(start + i * step).strftime(fmt) for i in range(len(counts))]
    per = f"{merge} {unit}s" if merge > 1 else unit
    return charts.bars_svg(
        counts, names, x_title="time (UTC), start of each bar", y_title=f"labels per {per}",
        label=f"labels per {per}",
    )  # fmt: skip


@login_required
@require_POST
def effort_start(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_lead(request, slug)
    kind = request.POST.get("kind", EffortRun.Kind.SIMULATION)
    if kind not in EffortRun.Kind.values:
        raise Http404("No such computation.")
    try:
        run = effort_run_start(project=project, kind=kind, params=_form_params(request.POST))
    except EffortError as exc:
        messages.error(request, f"Not started: {exc}")
    else:
        messages.success(request, f"{run.get_kind_display()} computation {run.id} started.")
    return redirect("effort", slug=project.slug)


def _form_params(post) -> dict:
    if post.get("kind") == EffortRun.Kind.SPA:
        return {"seed_labels": post.get("min_seed") or None}
    fields = (
        "seeds", "noise", "tie_margin", "target", "target_share", "pairs_per_prompt",
        "eval_share", "boot", "features", "uncertain_batch",
    )  # fmt: skip
    params = {key: post.get(key) or None for key in fields}
    params["strategies"] = post.getlist("strategies") or None
    return params


CSV_TABLES = ("arms", "annotators", "throughput", "simulation", "live", "curves")


@login_required
def effort_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    project = get_project_for_lead(request, slug)
    if table not in CSV_TABLES:
        raise Http404("No such table.")
    header, rows = _table(project, table)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{project.slug}-{table}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _table(project, table: str) -> tuple[list[str], list[list]]:
    figures = dashboard.figures(project)
    if table in ("arms", "annotators"):
        records = figures[table]
        header = list(records[0]) if records else []
        return header, [[r[k] for k in header] for r in records]
    if table == "throughput":
        return ["bucket", "labels"], list(enumerate(figures["throughput"]["counts"]))
    kind = EffortRun.Kind.LIVE if table == "live" else EffortRun.Kind.SIMULATION
    arms = (_result(_latest(project, kind)) or {}).get("arms", {})
    if table == "curves":
        return ["arm", "labels", "accuracy"], [
            [name, n, acc] for name, arm in arms.items()
            for n, acc in zip(arm["sizes"], arm["accuracy"], strict=True)
        ]  # fmt: skip
    return _effort_rows(arms)


EFFORT_COLUMNS = (
    "labels", "labels_to_target", "seconds_to_target", "saved_labels", "saved_labels_ci",
    "saved_seconds", "saved_seconds_ci", "uninformative_rate", "label_error",
    "candidate_reduction",
)  # fmt: skip


def _effort_rows(arms: dict) -> tuple[list[str], list[list]]:
    """One row per arm; an arm without enough data says so where its saving would be, and
    has no interval."""
    header = ["arm", *EFFORT_COLUMNS]
    rows = []
    for name, arm in arms.items():
        note = "; ".join(arm.get("short") or [])
        cells = {col: _cell(arm.get(col)) for col in EFFORT_COLUMNS}
        if note:
            cells |= {"saved_labels": note, "saved_seconds": note}
        rows.append([name] + [cells[col] for col in EFFORT_COLUMNS])
    return header, rows


def _cell(value):
    if isinstance(value, list):
        return " to ".join("-inf" if v is None else f"{v:.4f}" for v in value)
    return "" if value is None else value
