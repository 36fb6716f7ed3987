from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.contrib.auth.validators import UnicodeUsernameValidator

from annotation import login_limits
from annotation.converters import MAX_ID
from annotation.models import SHOWN_SIDES, Choice, Role
from annotation.queue import Answer

# What the annotator pressed refers to the screen; labels store the canonical pair order.
SHOWN_CHOICES = [
    ("left", SHOWN_SIDES[Choice.A]),
    ("right", SHOWN_SIDES[Choice.B]),
    (Choice.TIE, "Tie"),
    (Choice.BOTH_BAD, "Both bad"),
    (Choice.SKIP, "Skip"),
]
ADJUDICATE_CHOICES = [
    (Choice.A, "Response 1 better"),
    (Choice.B, "Response 2 better"),
    (Choice.TIE, "Tie"),
    (Choice.BOTH_BAD, "Both bad"),
]
STRENGTHS = [("", "—"), ("1", "slightly"), ("2", "clearly")]
# Most people a lead adds label pairs: Annotator comes first and is the default.
ROLE_CHOICES = [(Role.ANNOTATOR, Role.ANNOTATOR.label), (Role.LEAD, Role.LEAD.label)]
MEMBER_ACTIONS = [
    ("role", "Change role"),
    ("deactivate", "Deactivate"),
    ("reactivate", "Reactivate"),
    ("link", "New set-password link"),
]


class AnswerForm(forms.Form):
    # The bounds of a 64-bit id column: a larger number is a 400 naming the field.
    assignment = forms.IntegerField(min_value=1, max_value=MAX_ID)
    choice = forms.ChoiceField(choices=SHOWN_CHOICES)
    strength = forms.TypedChoiceField(
        choices=STRENGTHS, coerce=int, required=False, empty_value=None
    )
    rationale = forms.CharField(required=False, max_length=5000)
    active_seconds = forms.FloatField(required=False, min_value=0, max_value=24 * 3600)

    def answer(self) -> Answer:
        """The answer with "a"/"b" meaning left/right as shown (see label_submit's as_shown)."""
        data = self.cleaned_data
        choice = {"left": Choice.A, "right": Choice.B}.get(data["choice"], data["choice"])
        return Answer(choice, data["strength"], data["rationale"], data["active_seconds"])

    def error_text(self) -> str:
        return f"Your answer was not saved ({error_text(self)})."


def error_text(form: forms.Form) -> str:
    return "; ".join(f"{field}: {' '.join(errs)}" for field, errs in form.errors.items())


class AdjudicateForm(forms.Form):
    choice = forms.ChoiceField(choices=ADJUDICATE_CHOICES)
    rationale = forms.CharField(required=False, max_length=5000)


class MemberAddForm(forms.Form):
    """Add a person: an existing account by its username, or a new account."""

    username = UsernameField(max_length=150, validators=[UnicodeUsernameValidator()])
    email = forms.EmailField(required=False)
    role = forms.TypedChoiceField(
        choices=ROLE_CHOICES, required=False, empty_value=Role.ANNOTATOR, initial=Role.ANNOTATOR
    )


class MemberChangeForm(forms.Form):
    """A lead's change to one member, named by username."""

    username = forms.CharField(max_length=150)
    action = forms.ChoiceField(choices=MEMBER_ACTIONS)
    role = forms.TypedChoiceField(
        choices=ROLE_CHOICES, required=False, empty_value=Role.ANNOTATOR, initial=Role.ANNOTATOR
    )


class LimitedAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing for a while after repeated wrong passwords
    (annotation/login_limits.py)."""

    def clean(self):
        who = {"username": self.cleaned_data.get("username") or "",
               "address": login_limits.client_address(self.request)}  # fmt: skip
        why = login_limits.refusal(**who)
        if why:
            raise forms.ValidationError(why, code="too_many_attempts")
        try:
            return super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                login_limits.failure(**who)
            raise
