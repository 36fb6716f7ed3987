"""bench/serve.py's queue: every row starts with as many open pairs as the row is printed under."""

from __future__ import annotations

import pytest

from annotation.models import Pair, PairStatus, Prompt, Response
from bench.serve_data import make_queue, top_up

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def open_pairs() -> int:
    return Pair.objects.filter(project__slug="bench", status=PairStatus.OPEN).count()


def test_a_top_up_replaces_the_pairs_labelled_since_with_new_open_ones():
    make_queue(slug="bench", pairs=10, annotators=1)
    assert open_pairs() == 10
    done = list(Pair.objects.order_by("id").values_list("id", flat=True)[:4])
    Pair.objects.filter(id__in=done).update(status=PairStatus.COMPLETE)
    last = Pair.objects.order_by("-id").values_list("id", flat=True)[0]

    assert top_up(slug="bench", pairs=10) == 4
    assert open_pairs() == 10
    assert Pair.objects.count() == 14
    # Each new pair is two responses of its own new prompt, named apart from the old prompts.
    assert Prompt.objects.values("external_id").distinct().count() == 14
    assert Response.objects.count() == 28
    new = Pair.objects.filter(id__gt=last).select_related("response_a", "response_b")
    assert len(new) == 4
    for pair in new:
        assert pair.response_a.prompt_id == pair.response_b.prompt_id == pair.prompt_id
        assert pair.response_a_id != pair.response_b_id


def test_a_full_queue_gets_nothing_more():
    make_queue(slug="bench", pairs=5, annotators=1)
    assert top_up(slug="bench", pairs=5) == 0
    assert Pair.objects.count() == 5
