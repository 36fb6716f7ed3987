"""Server-rendered SVG charts (no JavaScript build step) that a lead can read without help:
axes with ticks, tick labels and units, axis titles, a legend, and every arm listed, also
those without a figure. Arm names are user data: every text goes through format_html."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 680  # drawn at its own size on a laptop screen, so 12 px text stays 12 px
FONT = 12
PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3",
           "#8c8c8c", "#ccb974", "#64b5cd")  # fmt: skip
INK, MUTED, GRID, TARGET = "#1d2430", "#5b6575", "#e3e7ee", "#b3261e"
NAME_CHARS = 26  # longer arm names are cut in the drawing (the full name is in its tooltip)
LEGEND_ROW = 18


# Ticks -------------------------------------------------------------------------------------


def nice_step(span: float, count: int = 5, integer: bool = False) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) giving about `count` intervals over `span`;
    a whole number where the values are counts."""
    raw = max(span, 1e-12) / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return float(max(1, math.ceil(step))) if integer else step


def nice_ticks(low: float, high: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering [low, high] (the first ≤ low, the last ≥ high)."""
    step = nice_step(high - low, count, integer)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(k * step, 10) for k in range(first, max(last, first + 1) + 1)]


def tick_text(value: float, step: float) -> str:
    """The value with as many decimals as the step between ticks needs."""
    decimals = next((d for d in range(7) if abs(round(step, d) - step) < 1e-9), 6)
    return f"{value:.{decimals}f}".replace("-", "−")


def round_edges(values: np.ndarray, bins: int = 10) -> np.ndarray:
    """Histogram edges at round numbers, about `bins` of them across the values' range."""
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-12:
        return np.array([low - 0.5, low + 0.5])
    return np.array(nice_ticks(low, high, bins))


# Frame and axes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plot:
    """The plotting area in SVG pixels and the data range it shows."""

    left: float
    right: float
    top: float
    bottom: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def x(self, value: float) -> float:
        (lo, hi), span = self.x_range, self.right - self.left
        return round(self.left + span * (value - lo) / ((hi - lo) or 1), 1)

    def y(self, value: float) -> float:
        (lo, hi), span = self.y_range, self.bottom - self.top
        return round(self.bottom - span * (value - lo) / ((hi - lo) or 1), 1)


def _frame(label: str, body: SafeString, height: float, width: int = WIDTH) -> SafeString:
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" style="width:100%;max-width:{w}px;height:auto" '
        'font-size="{f}" font-family="system-ui, sans-serif" role="img" aria-label="{l}">'
        "<title>{l}</title>{b}</svg>",
        w=width, h=round(height), f=FONT, l=label, b=body,
    )  # fmt: skip


def _x_axis(plot: Plot, ticks: Sequence[float], text: Callable, title: str) -> SafeString:
    marks = format_html_join("", (
        '<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="' + GRID + '"/>'
        '<line x1="{x}" y1="{b}" x2="{x}" y2="{b5}" stroke="' + MUTED + '"/>'
        '<text class="tick" x="{x}" y="{ty}" text-anchor="middle" fill="' + MUTED + '">{s}</text>'
    ), ({"x": plot.x(v), "t": plot.top, "b": plot.bottom, "b5": plot.bottom + 5,
         "ty": plot.bottom + 18, "s": text(v)} for v in ticks))  # fmt: skip
    return format_html(
        '<g class="x-axis">{m}<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="{c}"/>'
        '<text class="axis-title" x="{mid}" y="{ty}" text-anchor="middle" fill="{ink}">{t}'
        "</text></g>",
        m=marks, l=plot.left, r=plot.right, b=plot.bottom, c=MUTED, ink=INK, t=title,
        mid=round((plot.left + plot.right) / 2), ty=plot.bottom + 36,
    )  # fmt: skip


def _y_axis(plot: Plot, ticks: Sequence[float], text: Callable, title: str) -> SafeString:
    marks = format_html_join("", (
        '<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="' + GRID + '"/>'
        '<line x1="{l5}" y1="{y}" x2="{l}" y2="{y}" stroke="' + MUTED + '"/>'
        '<text class="tick" x="{tx}" y="{ty}" text-anchor="end" fill="' + MUTED + '">{s}</text>'
    ), ({"y": plot.y(v), "l": plot.left, "r": plot.right, "l5": plot.left - 5,
         "tx": plot.left - 8, "ty": plot.y(v) + 4, "s": text(v)} for v in ticks))  # fmt: skip
    mid = round((plot.top + plot.bottom) / 2)
    return format_html(
        '<g class="y-axis">{m}<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="{c}"/>'
        '<text class="axis-title" x="14" y="{mid}" text-anchor="middle" fill="{ink}" '
        'transform="rotate(-90 14 {mid})">{title}</text></g>',
        m=marks, l=plot.left, t=plot.top, b=plot.bottom, c=MUTED, ink=INK, mid=mid, title=title,
    )  # fmt: skip


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _empty(text: str) -> SafeString:
    return format_html('<p class="muted">{}</p>', text)


# Learning curves ---------------------------------------------------------------------------


def learning_curves_svg(
    arms: dict[str, dict], target: float | None, length_rule: float | None = None
) -> SafeString:
    """One line per arm: reward-model accuracy on held-out pairs against labels spent, from
    chance (0.5) at no labels; the target as a labelled dashed line (and the length rule's
    accuracy, where known, as a dotted one); a legend row per arm saying how many labels it
    needed to reach the target, or why there is no figure."""
    series = {n: _curve_points(a) for n, a in arms.items()}
    if not any(series.values()):
        return _empty("No learning curves yet.")
    points = [p for s in series.values() for p in s]
    xs = nice_ticks(0, max(x for x, _y in points), integer=True)
    ys_seen = [y for _x, y in points] + [v for v in (target, length_rule) if v is not None]
    ys = nice_ticks(min(ys_seen), max(ys_seen))
    height = 300 + LEGEND_ROW * len(arms)
    plot = Plot(64, WIDTH - 16, 16, 240, (xs[0], xs[-1]), (ys[0], ys[-1]))
    step_y = ys[1] - ys[0]
    body = format_html(
        "{}{}{}{}{}{}",
        _x_axis(plot, xs, lambda v: tick_text(v, xs[1] - xs[0]), "labels spent (human labels)"),
        _y_axis(plot, ys, lambda v: tick_text(v, step_y), "accuracy on held-out pairs"),
        format_html_join(
            "",
            "{}",
            (
                (_line(plot, s, PALETTE[i % len(PALETTE)], n),)
                for i, (n, s) in enumerate(series.items())
            ),
        ),  # fmt: skip
        _target_line(plot, target),
        _target_line(plot, length_rule, "length rule", MUTED, "2 3"),
        _curve_legend(arms, 300),
    )
    return _frame("learning curves: accuracy on held-out pairs against labels spent", body, height)


def _curve_points(arm: dict) -> list[tuple[float, float]]:
    pairs = zip(arm.get("sizes") or [], arm.get("accuracy") or [], strict=False)
    points = [(float(x), float(y)) for x, y in pairs if y is not None]
    return [(0.0, 0.5), *points] if points else []


def _line(plot: Plot, points: list, color: str, name: str) -> SafeString:
    if not points:
        return SafeString("")
    coords = " ".join(f"{plot.x(x)},{plot.y(y)}" for x, y in points)
    dots = format_html_join(
        "", '<circle cx="{}" cy="{}" r="2.5" fill="{}"/>',
        ((plot.x(x), plot.y(y), color) for x, y in points[1:]),
    )  # fmt: skip
    return format_html(
        '<g class="curve"><title>{}</title><polyline fill="none" stroke="{}" stroke-width="2" '
        'points="{}"/>{}</g>',
        name, color, coords, dots,
    )  # fmt: skip


def _target_line(
    plot: Plot, value: float | None, name: str = "target", color: str = TARGET,
    dashes: str = "6 4",
) -> SafeString:  # fmt: skip
    if value is None:
        return SafeString("")
    y = plot.y(value)
    css = "target" if name == "target" else "reference"
    return format_html(
        '<g class="{css}"><line class="{css}" x1="{l}" y1="{y}" x2="{r}" y2="{y}" '
        'stroke="{c}" stroke-width="1.5" stroke-dasharray="{d}"/>'
        '<text class="{css}-label" x="{tx}" y="{ty}" fill="{c}" stroke="#fff" '
        'stroke-width="3" paint-order="stroke">{name} {q}</text></g>',
        css=css, l=plot.left, r=plot.right, y=y, tx=plot.left + 6, ty=y - 5, c=color,
        d=dashes, name=name, q=f"{value:.2f}",
    )  # fmt: skip


def _curve_legend(arms: dict[str, dict], top: float) -> SafeString:
    return format_html_join("", (
        '<g class="legend-entry"><title>{name}</title>'
        '<line x1="64" y1="{y}" x2="88" y2="{y}" stroke="{c}" stroke-width="3"/>'
        '<text x="96" y="{ty}" fill="' + INK + '">{short}<tspan fill="' + MUTED + '"> — {note}'
        "</tspan></text></g>"
    ), ({"name": name, "short": _short(name), "c": PALETTE[i % len(PALETTE)],
         "y": top + LEGEND_ROW * i - 4, "ty": top + LEGEND_ROW * i, "note": _reached(arm)}
        for i, (name, arm) in enumerate(arms.items())))  # fmt: skip


def _reached(arm: dict) -> str:
    labels = f"{arm['labels']:.0f} labels" if arm.get("labels") is not None else "no labels"
    if arm.get("short"):
        return f"{labels}; " + "; ".join(arm["short"])
    if arm.get("labels_to_target") is None:
        return f"{labels}; target not reached"
    return f"{labels}; reached the target at {arm['labels_to_target']:.0f} labels"


# Effort saved ------------------------------------------------------------------------------

ROW = 26
NAME_W = 190  # arm names left of the plot
VALUE_W = 175  # the figure as text, right of the plot


def savings_svg(
    arms: dict[str, dict], key: str = "saved_labels", baseline: str | None = None
) -> SafeString:
    """Effort saved per arm against the random arm: a bar with its 95% bootstrap interval.
    Every arm has a row: one without a figure says why (target not reached, not enough
    labels yet, …); an interval open below (an arm that often misses the target) runs to
    the left edge with an arrow."""
    if not arms:
        return _empty("No effort figures yet.")
    unit = "labels" if key == "saved_labels" else "annotator-seconds"
    ticks = nice_ticks(_savings_floor([a.get(key) for a in arms.values()] + _ci_lows(arms, key)),
                       1.0, 4)  # fmt: skip
    height = 24 + ROW * len(arms) + 44
    plot = Plot(NAME_W, WIDTH - VALUE_W, 12, 12 + ROW * len(arms), (ticks[0], 1.0), (0, 1))
    rows = format_html_join("", "{}", (
        (_saving_row(plot, i, name, arm, key, name == baseline),) for i, (name, arm)
        in enumerate(arms.items())))  # fmt: skip
    zero = format_html(
        '<line class="zero" x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="{c}"/>',
        x=plot.x(0), t=plot.top, b=plot.bottom, c=MUTED,
    )  # fmt: skip
    axis = _x_axis(plot, ticks, lambda v: f"{v:+.0%}".replace("-", "−").replace("+0%", "0%"),
                   f"effort saved against the random arm, in {unit}")  # fmt: skip
    return _frame(f"effort saved against random ({unit})",
                  format_html("{}{}{}", axis, zero, rows), height)  # fmt: skip


def _ci_lows(arms: dict[str, dict], key: str) -> list:
    return [(arm.get(f"{key}_ci") or [None])[0] for arm in arms.values()]


def _savings_floor(values: list) -> float:
    """The left end of the savings axis: −100%, or lower to show the lowest finite figure
    (at most −300%; beyond that a bar is cut at the edge)."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    lowest = min(finite, default=-1.0)
    return max(-3.0, min(-1.0, math.floor(lowest * 2) / 2))


def _saving_row(plot: Plot, i: int, name: str, arm: dict, key: str, is_base: bool) -> SafeString:
    y = plot.top + ROW * i
    label = format_html(
        '<text class="arm" x="8" y="{}" fill="{}">{}</text>', y + 16, INK, _short(name)
    )
    note = _saving_note(arm, key, is_base)
    if note is not None:
        text = format_html(
            '<text class="note" x="{}" y="{}" fill="{}" font-style="italic">{}</text>',
            plot.left + 8, y + 16, MUTED, note,
        )  # fmt: skip
        return format_html(
            '<g class="arm-row"><title>{}: {}</title>{}{}</g>', name, note, label, text
        )
    return format_html('<g class="arm-row">{}{}</g>', label, _saving_bar(plot, i, name, arm, key))


def _saving_note(arm: dict, key: str, is_base: bool) -> str | None:
    """Why an arm has no bar, or None when it has one."""
    if is_base:
        return "the baseline (0 by definition)"
    if arm.get("short"):
        return "; ".join(arm["short"])
    if arm.get(key) is not None:
        return None
    ci = arm.get(f"{key}_ci")
    return "target not reached" + (f" (95% interval {_percent(ci[0])} to {_percent(ci[1])})"
                                   if ci else "")  # fmt: skip


def _saving_bar(plot: Plot, i: int, name: str, arm: dict, key: str) -> SafeString:
    y, value, ci = plot.top + ROW * i, arm[key], arm.get(f"{key}_ci")
    figure = f"{_percent(value)} ({_percent(ci[0])} to {_percent(ci[1])})" if ci else ""
    return format_html(
        '<title>{n}: {f}, 95% bootstrap interval</title>'
        '<rect class="bar" x="{x}" y="{y}" width="{w}" height="12" fill="{c}"/>{wh}'
        '<text class="figure" x="{vx}" y="{ty}" fill="{ink}">{f}</text>',
        n=name, f=figure or _percent(value), x=min(plot.x(0), _clip(plot, value)), y=y + 6,
        w=round(abs(_clip(plot, value) - plot.x(0)), 1), c=PALETTE[i % len(PALETTE)],
        wh=_whisker(plot, ci, y + 12), vx=plot.right + 10, ty=y + 16, ink=INK,
    )  # fmt: skip


def _percent(value: float | None) -> str:
    if value is None or value == -math.inf:
        return "−∞"
    return f"{value:+.0%}".replace("-", "−")


def _clip(plot: Plot, value: float | None) -> float:
    lo, hi = plot.x_range
    return plot.x(lo if value is None else min(hi, max(lo, value)))


def _whisker(plot: Plot, ci: list | None, y: float) -> SafeString:
    if not ci:
        return SafeString("")
    x0, x1 = _clip(plot, ci[0]), _clip(plot, ci[1])
    open_below = ci[0] is None or ci[0] < plot.x_range[0]
    return format_html(
        '<g class="ci" stroke="{c}" stroke-width="1.5"><line x1="{a}" y1="{y}" x2="{b}" y2="{y}"/>'
        '<line x1="{b}" y1="{t}" x2="{b}" y2="{d}"/>{end}</g>',
        c=INK, a=x0, b=x1, y=y, t=y - 5, d=y + 5,
        end=format_html('<path d="M{} {} l8 -5 v10 z" fill="{}"/>', x0, y, INK) if open_below
        else format_html('<line x1="{}" y1="{}" x2="{}" y2="{}"/>', x0, y - 5, x0, y + 5),
    )  # fmt: skip


# Bars: histograms and counts over time -----------------------------------------------------


def bars_svg(
    counts: Sequence[int], names: Sequence[str], *, x_title: str, y_title: str, label: str
) -> SafeString:
    """One bar per category (a histogram's bins, or time buckets), with a count axis; under
    the bars, as many category names as fit without overlapping."""
    if not counts or not any(counts):
        return _empty(f"No {label} yet.")
    ys = nice_ticks(0, max(counts), 5, integer=True)
    plot = Plot(64, WIDTH - 16, 16, 220, (0, len(counts)), (0, ys[-1]))
    width = (plot.right - plot.left) / len(counts)
    every = _label_every(names, plot.right - plot.left)
    bars = format_html_join("", (
        '<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}" fill="' + PALETTE[0] + '">'
        "<title>{n}: {c}</title></rect>"
    ), ({"x": round(plot.left + i * width + 1, 1), "y": plot.y(c), "w": round(width - 2, 1),
         "h": round(plot.bottom - plot.y(c), 1), "n": names[i], "c": c}
        for i, c in enumerate(counts)))  # fmt: skip
    ticks = [i + 0.5 for i in range(0, len(counts), every)]
    body = format_html(
        "{}{}{}",
        _y_axis(plot, ys, lambda v: f"{v:.0f}", y_title),
        _x_axis(plot, ticks, lambda v: names[int(v)], x_title), bars,
    )  # fmt: skip
    return _frame(label, body, 268)


def _label_every(names: Sequence[str], width: float) -> int:
    """Name every k-th bar, so that the names under the bars do not overlap."""
    fits = max(1, int(width // (7.0 * max(len(n) for n in names) + 12)))
    return max(1, math.ceil(len(names) / fits))


def histogram_svg(histogram: dict) -> SafeString:
    """A compact histogram of selection scores ({"edges", "counts"}), for a table cell:
    bars between their edges on a numeric score axis, counts of pairs up the side."""
    counts, edges = histogram.get("counts") or [], histogram.get("edges") or []
    if not counts or len(edges) != len(counts) + 1:
        return format_html('<span class="muted">{}</span>', "—")
    ys = nice_ticks(0, max(max(counts), 1), 3, integer=True)
    plot = Plot(52, 310, 10, 96, (edges[0], edges[-1]), (0, ys[-1]))
    bars = format_html_join("", (
        '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="' + PALETTE[0] + '">'
        "<title>{} to {}: {} pairs</title></rect>"
    ), ((plot.x(a), plot.y(c), max(round(plot.x(b) - plot.x(a) - 1, 1), 1),
         round(plot.bottom - plot.y(c), 1), f"{a:.3g}", f"{b:.3g}", c)
        for a, b, c in zip(edges, edges[1:], counts, strict=False)))  # fmt: skip
    every = math.ceil((len(edges) - 1) / 5)
    body = format_html(
        "{}{}{}",
        _y_axis(plot, ys, lambda v: f"{v:.0f}", "pairs"),
        _x_axis(plot, edges[::every], lambda v: f"{v:.3g}".replace("-", "−"), "score"), bars,
    )  # fmt: skip
    return format_html(
        '<svg class="histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 140" '
        'width="320" height="140" style="max-width:100%;height:auto" font-size="{}" '
        'font-family="system-ui, sans-serif" role="img" aria-label="{}"><title>{}</title>{}</svg>',
        FONT, f"score histogram from {edges[0]:.3g} to {edges[-1]:.3g}",
        "selection scores of the pairs created", body,
    )  # fmt: skip
