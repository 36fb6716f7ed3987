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
