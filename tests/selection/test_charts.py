"""The server-drawn SVG charts, read back as XML: axes, ticks, titles, target, legend, bins."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from selection import charts
from selection.effort import minimums

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 (the app's own output, not untrusted input)


def texts(root: ET.Element, cls: str | None = None) -> list[str]:
    found = root.iter(f"{SVG}text")
    return ["".join(t.itertext()) for t in found if cls is None or t.get("class") == cls]


def group(root: ET.Element, cls: str) -> ET.Element:
    return next(g for g in root.iter(f"{SVG}g") if g.get("class") == cls)


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def arm(labels, accuracy, reached, saved=None, ci=None) -> dict:
    sizes = [10, 20, 40, 80][: len(accuracy)] if labels > 2 else [labels]
    return {"labels": labels, "sizes": sizes, "accuracy": accuracy, "labels_to_target": reached,
            "saved_labels": saved, "saved_labels_ci": ci}  # fmt: skip


@pytest.fixture
def arms() -> dict[str, dict]:
    """A baseline, a saving arm, one that misses the target, one with too few labels."""
    result = {
        "baseline": "random", "eval_pairs": 60, "target": 0.72,
        "arms": {
            "random": arm(80, [0.6, 0.66, 0.7, 0.75], 50.0, 0.0, [0.0, 0.0]),
            "dissimilar": arm(80, [0.64, 0.7, 0.74, 0.77], 25.0, 0.5, [-0.1, 0.8]),
            "similar": arm(80, [0.55, 0.57, 0.6, 0.62], None, None, [None, -0.4]),
            "late <script>": arm(2, [0.8], 2.0, 0.9, [0.9, 0.92]),
        },
    }  # fmt: skip
    return minimums.apply(result)["arms"]


def test_learning_curves_have_ticks_units_and_titles_on_both_axes(arms):
    root = parse(charts.learning_curves_svg(arms, 0.72))
    x_axis, y_axis = group(root, "x-axis"), group(root, "y-axis")
    assert texts(x_axis, "tick") == ["0", "20", "40", "60", "80"]
    assert texts(x_axis, "axis-title") == ["labels spent (human labels)"]
    assert texts(y_axis, "tick") == ["0.5", "0.6", "0.7", "0.8"]
    assert texts(y_axis, "axis-title") == ["accuracy on held-out pairs"]


def test_the_target_is_a_labelled_line_at_its_accuracy(arms):
    root = parse(charts.learning_curves_svg(arms, 0.72))
    line = next(e for e in root.iter(f"{SVG}line") if e.get("class") == "target")
    assert texts(root, "target-label") == ["target 0.72"]
    # 0.50 … 0.80 spans the plot from y = 240 to y = 16.
    assert float(line.get("y1")) == pytest.approx(240 - 224 * (0.72 - 0.5) / 0.3, abs=0.1)


def test_the_length_rule_is_a_second_labelled_line_when_known(arms):
    root = parse(charts.learning_curves_svg(arms, 0.72, 0.66))
    assert texts(root, "reference-label") == ["length rule 0.66"]
    assert texts(root, "target-label") == ["target 0.72"]
    assert texts(parse(charts.learning_curves_svg(arms, 0.72)), "reference-label") == []


def test_every_arm_has_a_legend_entry_saying_how_it_did(arms):
    root = parse(charts.learning_curves_svg(arms, 0.72))
    entries = [" ".join(texts(g)) for g in groups(root, "legend-entry")]
    assert entries == [
        "random — 80 labels; reached the target at 50 labels",
        "dissimilar — 80 labels; reached the target at 25 labels",
        "similar — 80 labels; target not reached",
        "late <script> — 2 labels; not enough labels yet: 2 of 20",
    ]
    assert len(groups(root, "curve")) == 4


def test_arm_names_are_escaped_in_every_chart(arms):
    for svg in (charts.learning_curves_svg(arms, 0.72), charts.savings_svg(arms, "saved_labels")):
        assert "<script>" not in str(svg)
        assert "late &lt;script&gt;" in str(svg)
        assert not list(parse(svg).iter(f"{SVG}script"))


def test_the_savings_chart_lists_every_arm_and_says_why_one_has_no_bar(arms):
    root = parse(charts.savings_svg(arms, "saved_labels", baseline="random"))
    rows = {texts(g, "arm")[0]: g for g in groups(root, "arm-row")}
    assert list(rows) == ["random", "dissimilar", "similar", "late <script>"]
    assert texts(rows["random"], "note") == ["the baseline (0 by definition)"]
    assert texts(rows["similar"], "note") == ["target not reached (95% interval −∞ to −40%)"]
    assert texts(rows["late <script>"], "note") == ["not enough labels yet: 2 of 20"]
    assert not list(rows["late <script>"].iter(f"{SVG}rect"))
    assert texts(rows["dissimilar"], "figure") == ["+50% (−10% to +80%)"]
    assert len(list(rows["dissimilar"].iter(f"{SVG}rect"))) == 1


def test_the_savings_axis_is_in_percent_with_a_title(arms):
    root = parse(charts.savings_svg(arms, "saved_labels", baseline="random"))
    x_axis = group(root, "x-axis")
    assert texts(x_axis, "tick") == ["−100%", "−50%", "0%", "+50%", "+100%"]
    assert texts(x_axis, "axis-title") == ["effort saved against the random arm, in labels"]


def test_an_interval_open_below_ends_in_an_arrow_at_the_left_edge():
    open_below = {"random": arm(80, [0.7], 10.0, 0.0), "d": arm(80, [0.7], 9.0, 0.1, [None, 0.5])}
    root = parse(charts.savings_svg(open_below, "saved_labels", baseline="random"))
    whisker = group(root, "ci")
    assert whisker.find(f"{SVG}path") is not None
    assert float(whisker.find(f"{SVG}line").get("x1")) == 190  # the plot's left edge
    assert "(−∞ to +50%)" in " ".join(texts(root, "figure"))


def test_charts_are_sized_for_a_laptop_screen_with_12px_text(arms):
    for svg in (charts.learning_curves_svg(arms, 0.72), charts.savings_svg(arms)):
        root = parse(svg)
        assert root.get("viewBox").split()[2] == "680"
        assert "max-width:680px" in root.get("style")
        assert "width:100%" in root.get("style")
        assert root.get("font-size") == "12"


SECONDS = ["0–5", "5–10", "10–20", "20–30", "30–45", "45–60", "60–90", "90–120", "120–180",
           "180–300", "≥ 300"]  # fmt: skip


def test_the_seconds_histogram_has_a_bar_per_bin_named_by_its_range():
    counts = [3, 40, 120, 80, 60, 30, 20, 8, 4, 2, 1]
    root = parse(charts.bars_svg(counts, SECONDS, x_title="active seconds per label",
                                 y_title="labels", label="seconds per label"))  # fmt: skip
    bars = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]
    assert [b.find(f"{SVG}title").text for b in bars] == [
        f"{n}: {c}" for n, c in zip(SECONDS, counts, strict=True)
    ]
    assert texts(group(root, "y-axis"), "tick") == ["0", "25", "50", "75", "100", "125"]
    assert texts(group(root, "x-axis"), "axis-title") == ["active seconds per label"]
    named = texts(group(root, "x-axis"), "tick")
    assert named[0] == "0–5"
    assert set(named) <= set(SECONDS)


def test_many_bars_name_only_as_many_as_fit():
    names = [f"{d:02d} Mar" for d in range(1, 49)]
    root = parse(charts.bars_svg([5] * 48, names, x_title="time", y_title="labels per day",
                                 label="labels per day"))  # fmt: skip
    named = texts(group(root, "x-axis"), "tick")
    assert 4 <= len(named) <= 12
    assert named[0] == "01 Mar"
    assert min(float(b.get("width")) for b in root.iter(f"{SVG}rect")) > 5


def test_a_long_stretch_of_days_is_merged_into_at_most_48_bars():
    from selection.effort.views import _throughput_chart

    series = {"unit": "day", "start": "2026-01-01 00:00", "counts": [1] * 400}
    root = parse(_throughput_chart(series))
    bars = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]
    assert len(bars) == 45  # 9 days a bar
    assert bars[0].find(f"{SVG}title").text == "01 Jan: 9"
    assert texts(group(root, "y-axis"), "axis-title") == ["labels per 9 days"]


def test_selection_scores_are_binned_at_round_edges():
    from selection.runs.services import _histogram

    scores = np.random.default_rng(0).normal(0.4, 0.15, size=500).tolist()
    histogram = _histogram(scores)
    edges = np.array(histogram["edges"])
    assert 6 <= len(histogram["counts"]) <= 14
    assert np.allclose(edges * 10, np.round(edges * 10))  # steps of 0.1
    assert sum(histogram["counts"]) == 500
    root = parse(charts.histogram_svg(histogram))
    bars = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]
    assert len(bars) == len(histogram["counts"])
    assert texts(group(root, "x-axis"), "axis-title") == ["score"]
    assert texts(group(root, "y-axis"), "axis-title") == ["pairs"]
    assert all(len(t) <= 4 for t in texts(group(root, "x-axis"), "tick"))


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0.52, 0.81, [0.5, 0.6, 0.7, 0.8, 0.9]),
        (0, 37, [0, 10, 20, 30, 40]),
        (-2.4, 1, [-3, -2, -1, 0, 1]),
    ],
)
def test_ticks_are_round_and_cover_the_range(low, high, ticks):
    assert charts.nice_ticks(low, high) == pytest.approx(ticks)


def test_count_axes_never_tick_between_whole_numbers():
    assert charts.nice_ticks(0, 2, integer=True) == [0, 1, 2]
