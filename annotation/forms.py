from __future__ import annotations

from django import forms

from annotation.models import Choice

# What the annotator pressed refers to the screen; labels store the canonical pair order.
SHOWN_CHOICES = [
    ("left", "A (left) is better"),
    ("right", "B (right) is better"),
    (Choice.TIE, "Tie"),
    (Choice.BOTH_BAD, "Both bad"),
    (Choice.SKIP, "Skip"),
]
STRENGTHS = [("", "—"), ("1", "slightly"), ("2", "clearly")]


class AnswerForm(forms.Form):
    assignment = forms.IntegerField(min_value=1)
    choice = forms.ChoiceField(choices=SHOWN_CHOICES)
    strength = forms.TypedChoiceField(
        choices=STRENGTHS, coerce=int, required=False, empty_value=None
    )
    rationale = forms.CharField(required=False, max_length=5000)
    active_seconds = forms.FloatField(required=False, min_value=0, max_value=24 * 3600)

    def shown_choice(self) -> str:
        """The answer with "a"/"b" meaning left/right as shown (see label_submit's as_shown)."""
        return {"left": Choice.A, "right": Choice.B}.get(
            self.cleaned_data["choice"], self.cleaned_data["choice"]
        )

    def error_text(self) -> str:
        parts = [f"{field}: {' '.join(errs)}" for field, errs in self.errors.items()]
        return "Your answer was not saved (" + "; ".join(parts) + ")."
