"""Small server-rendered SVG charts (no JavaScript build step)."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 160, 40


def histogram_svg(histogram: dict) -> SafeString:
    """Bars for {"edges": [...], "counts": [...]}, with the score range as a title."""
    counts = histogram.get("counts") or []
    edges = histogram.get("edges") or []
    if not counts:
        return format_html('<span class="muted">{}</span>', "—")
    top = max(counts) or 1
    width = WIDTH / len(counts)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}"><title>{}–{}: {}</title></rect>',
        (
            (round(i * width, 1), round(HEIGHT - HEIGHT * c / top, 1), round(width - 1, 1),
             round(HEIGHT * c / top, 1), edges[i], edges[i + 1], c)
            for i, c in enumerate(counts)
        ),
    )  # fmt: skip
    return format_html(
        '<svg class="histogram" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="score histogram from {} to {}">{}</svg>',
        WIDTH, HEIGHT, WIDTH, HEIGHT, edges[0], edges[-1], bars,
    )  # fmt: skip


PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3",
           "#8c8c8c", "#ccb974", "#64b5cd")  # fmt: skip
PLOT_W, PLOT_H, PAD = 520, 240, 36
LEGEND_W = 130  # the learning-curve legend sits right of the plot


def _svg(label: str, body: SafeString, width: int = PLOT_W, height: int = PLOT_H) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}">'
        "<title>{}</title>{}</svg>",
        width, height, label, label, body,
    )  # fmt: skip


def _empty(text: str) -> SafeString:
    return format_html('<p class="muted">{}</p>', text)


def learning_curves_svg(arms: dict[str, dict], target: float | None) -> SafeString:
    """One line per arm: reward-model accuracy on held-out pairs against labels spent."""
    series = {n: (a["sizes"], a["accuracy"]) for n, a in arms.items() if a.get("sizes")}
    if not series:
        return _empty("No learning curves yet.")
    max_x = max(max(x) for x, _y in series.values())
    ys = [v for _x, y in series.values() for v in y if v is not None]
    low, high = min(min(ys), target or 1.0), max(max(ys), target or 0.0)
    low, high = max(0.0, low - 0.02), min(1.0, high + 0.02)

    def point(x: float, y: float) -> str:
        px = PAD + (PLOT_W - PAD - LEGEND_W) * x / max_x
        py = PLOT_H - PAD + (PAD + 10 - PLOT_H) * (y - low) / max(high - low, 1e-9)
        return f"{px:.1f},{py:.1f}"

    lines = format_html_join(
        "",
        '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"><title>{}</title>'
        "</polyline>",
        ((PALETTE[i % len(PALETTE)], " ".join(point(x, y) for x, y in zip(*xy, strict=True)
           if y is not None), name) for i, (name, xy) in enumerate(series.items())),
    )  # fmt: skip
    axes = _axes(max_x, low, high, "labels", "accuracy", right=PLOT_W - LEGEND_W)
    target_line = _target_line(target, point, max_x)
    body = format_html("{}{}{}{}", axes, target_line, lines, _legend(list(series)))
    return _svg("learning curves: accuracy on held-out pairs against labels", body)


def _axes(
    max_x: float, low: float, high: float, x_name: str, y_name: str, right: int = PLOT_W - 10
) -> SafeString:
    return format_html(
        '<g class="axes"><line x1="{p}" y1="{b}" x2="{r}" y2="{b}"/>'
        '<line x1="{p}" y1="10" x2="{p}" y2="{b}"/>'
        '<text x="{p}" y="{lb}">0</text><text x="{r}" y="{lb}" text-anchor="end">{mx} {xn}</text>'
        '<text x="2" y="{b}">{lo}</text><text x="2" y="18">{hi}</text>'
        '<text x="2" y="{mid}">{yn}</text></g>',
        p=PAD, b=PLOT_H - PAD, r=right, lb=PLOT_H - PAD + 14, mx=int(max_x), xn=x_name,
        lo=f"{low:.2f}", hi=f"{high:.2f}", mid=PLOT_H // 2, yn=y_name,
    )  # fmt: skip


def _target_line(target, point, max_x: float) -> SafeString:
    if target is None:
        return format_html("")
    (x0, y0), (x1, _y1) = (point(0, target).split(","), point(max_x, target).split(","))
    return format_html(
        '<line class="target" x1="{}" y1="{}" x2="{}" y2="{}"><title>target q = {}</title></line>',
        x0, y0, x1, y0, f"{target:.3f}",
    )  # fmt: skip


def _legend(names: list[str]) -> SafeString:
    return format_html_join(
        "",
        '<g class="legend"><rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
        '<text x="{}" y="{}">{}</text></g>',
        ((PLOT_W - LEGEND_W + 8, 14 + 16 * i, PALETTE[i % len(PALETTE)], PLOT_W - LEGEND_W + 22,
          23 + 16 * i, name)
         for i, name in enumerate(names)),
    )  # fmt: skip


def savings_svg(arms: dict[str, dict], key: str = "saved_labels") -> SafeString:
    """Effort saved per arm against random, as a bar with its 95% bootstrap interval."""
    rows = [(n, a.get(key), a.get(f"{key}_ci")) for n, a in arms.items()]
    rows = [r for r in rows if r[1] is not None]
    if not rows:
        return _empty("No effort figures yet: the target was not reached, or no random arm.")
    # Savings run from −100% (twice the labels) to +100% (none needed); beyond is clipped.
    bound = 1.0
    row_h, mid, half = 24, PLOT_W * 0.62, PLOT_W * 0.36
    height = 32 + row_h * len(rows)

    def x(v: float) -> float:
        return round(mid + half * max(-1.0, min(1.0, v / bound)), 1)

    bars = format_html_join("", _SAVING_ROW, (
        (10, 16 + row_h * i, name, min(x(0), x(s)), 4 + row_h * i, abs(x(s) - x(0)),
         PALETTE[i % len(PALETTE)], name, f"{s:+.0%}", _ci_text(ci),
         *_whisker(ci, x, 11 + row_h * i))
        for i, (name, s, ci) in enumerate(rows)
    ))  # fmt: skip
    axis = format_html(
        '<line class="zero" x1="{z}" y1="0" x2="{z}" y2="{h}"/>'
        '<g class="axes"><text x="{lo}" y="{t}">−100%</text><text x="{z}" y="{t}" '
        'text-anchor="middle">0</text><text x="{hi}" y="{t}" text-anchor="end">+100%</text></g>',
        z=x(0),
        h=height - 12,
        lo=x(-1),
        hi=x(1),
        t=height - 2,
    )
    return _svg(f"effort saved against random ({key.replace('_', ' ')})",
                format_html("{}{}", axis, bars), height=height)  # fmt: skip


_SAVING_ROW = (
    '<text x="{}" y="{}">{}</text><rect x="{}" y="{}" width="{}" height="14" fill="{}">'
    "<title>{}: {} {}</title></rect>"
    '<line class="ci" x1="{}" y1="{}" x2="{}" y2="{}"/>'
)


def _ci_text(ci) -> str:
    return f"(95% interval {ci[0]:+.0%} to {ci[1]:+.0%})" if ci else "(no interval)"


def _whisker(ci, x, y: float) -> tuple:
    if not ci:
        return (0, 0, 0, 0)
    return (x(ci[0]), y, x(ci[1]), y)


def bars_svg(counts: list[int], labels: list[str], name: str) -> SafeString:
    """A plain bar chart (a histogram or counts over time), each bar titled with its value."""
    if not counts or not any(counts):
        return _empty(f"No {name} yet.")
    top, width = max(counts), (PLOT_W - PAD - 10) / len(counts)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
        ((round(PAD + i * width, 1), round(PLOT_H - PAD - (PLOT_H - PAD - 10) * c / top, 1),
          round(max(width - 1, 1), 1), round((PLOT_H - PAD - 10) * c / top, 1), labels[i], c)
         for i, c in enumerate(counts)),
    )  # fmt: skip
    ends = format_html(
        '<g class="axes"><text x="{}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}'
        '</text><text x="2" y="18">{}</text></g>',
        PAD, PLOT_H - PAD + 14, labels[0], PLOT_W - 10, PLOT_H - PAD + 14, labels[-1], top,
    )  # fmt: skip
    return _svg(name, format_html("{}{}", bars, ends))
