from __future__ import annotations

from annotation.forms import AnswerForm
from annotation.queue import Answer


def test_one_answer_s_errors_never_reach_the_next_one():
    bad = AnswerForm({"assignment": "0", "choice": "sideways", "active_seconds": "-1"})
    assert not bad.is_valid()
    assert set(bad.errors) == {"assignment", "choice", "active_seconds"}
    good = AnswerForm({"assignment": "7", "choice": "right", "strength": "2"})
    assert good.is_valid(), good.errors
    assert good.answer() == Answer("b", strength=2)
    assert (good.cleaned_data["assignment"], good.cleaned_data["strength"]) == (7, 2)
    assert set(bad.errors) == {"assignment", "choice", "active_seconds"}
