from __future__ import annotations

from annotation.forms import AnswerForm


def test_answer_forms_share_their_fields_instead_of_copying_them():
    first, second = AnswerForm({}), AnswerForm({})
    assert first.fields is AnswerForm.base_fields
    assert second.fields["choice"] is first.fields["choice"]


def test_one_answer_s_errors_never_reach_the_next_one():
    bad = AnswerForm({"assignment": "0", "choice": "sideways", "active_seconds": "-1"})
    assert not bad.is_valid()
    assert set(bad.errors) == {"assignment", "choice", "active_seconds"}
    good = AnswerForm({"assignment": "7", "choice": "right", "strength": "2"})
    assert good.is_valid(), good.errors
    assert good.shown_choice() == "b"
    assert (good.cleaned_data["assignment"], good.cleaned_data["strength"]) == (7, 2)
    assert set(bad.errors) == {"assignment", "choice", "active_seconds"}
