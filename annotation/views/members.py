"""A lead's Members page: add people (new accounts get a one-time set-password link), change
roles, turn access off and on again."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from annotation.access import get_project_for_lead, member_project
from annotation.forms import ROLE_CHOICES, MemberAddForm, MemberChangeForm, error_text
from annotation.models import Membership, Project, Role
from annotation.services import (
    MembershipError,
    membership_add,
    membership_deactivate,
    membership_reactivate,
    membership_set,
)
from annotation.views.accounts import awaits_password, link_days, set_password_url

# The set-password link of the account just made, kept in the session for one showing.
NEW_LINK = "members-new-link"


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_lead(request, slug)
    if request.method == "POST":
        try:
            _change(request, project)
        except MembershipError as refused:
            messages.error(request, str(refused))
        return _after_change(request, project)
    rows = (
        Membership.objects.filter(project=project)
        .select_related("user")
        .order_by(F("deactivated_at").asc(nulls_first=True), "user__username")
    )
    context = {
        "project": project,
        "members": [(m, awaits_password(m.user)) for m in rows],
        "roles": ROLE_CHOICES,
        "new_link": _new_link(request, project),
        "link_days": link_days(),
    }
    return render(request, "annotation/members.html", context)


def _change(request: HttpRequest, project: Project) -> None:
    if request.POST.get("action", "add") == "add":
        _add(request, project)
        return
    form = MemberChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing changed ({error_text(form)}).")
        return
    username = form.cleaned_data["username"]
    membership = (
        Membership.objects.filter(project=project, user__username=username)
        .select_related("user")
        .first()
    )
    if membership is None:
        messages.error(request, f"{username} is not a member of this project.")
        return
    membership.project = project
    CHANGES[form.cleaned_data["action"]](request, membership, form.cleaned_data["role"])


def _add(request: HttpRequest, project: Project) -> None:
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nobody added ({error_text(form)}).")
        return
    username, role = form.cleaned_data["username"], form.cleaned_data["role"]
    added = membership_add(
        project=project, username=username, email=form.cleaned_data["email"], role=role
    )
    user, shown_role = added.membership.user, added.membership.get_role_display()
    if added.outcome == "created":
        _keep_link(request, project, user)
        messages.success(request, f"Account {username} created and added as {shown_role}.")
    elif added.outcome == "added":
        note = " Their email was left as it was." if form.cleaned_data["email"] else ""
        messages.success(request, f"{username} (an existing account) added as {shown_role}.{note}")
    elif added.outcome == "reactivated":
        messages.success(request, f"{username} is back in the project as {shown_role}.")
    else:
        messages.warning(
            request, f"{username} is already a member ({shown_role}): change their role below."
        )


def _set_role(request: HttpRequest, membership: Membership, role: str) -> None:
    username = membership.user.username
    if membership.role == role:
        messages.warning(request, f"{username} already is {Role(role).label}: nothing changed.")
        return
    membership_set(project=membership.project, user=membership.user, role=role)
    messages.success(request, f"{username} is now {Role(role).label}.")


def _deactivate(request: HttpRequest, membership: Membership, role: str) -> None:
    username = membership.user.username
    if membership_deactivate(project=membership.project, user=membership.user):
        messages.success(
            request,
            f"{username} can no longer open this project or take its pairs; their labels are "
            "kept. Reactivate them here at any time.",
        )
    else:
        messages.warning(request, f"{username} was already deactivated.")


def _reactivate(request: HttpRequest, membership: Membership, role: str) -> None:
    username = membership.user.username
    if membership_reactivate(project=membership.project, user=membership.user):
        label = membership.get_role_display()
        messages.success(request, f"{username} is active again, as {label}.")
    else:
        messages.warning(request, f"{username} is already active.")


def _renew_link(request: HttpRequest, membership: Membership, role: str) -> None:
    user = membership.user
    if not awaits_password(user):
        messages.error(request, f"{user.username} has set a password already: they can log in.")
        return
    _keep_link(request, membership.project, user)
    messages.success(request, f"A new set-password link for {user.username} is below.")


CHANGES: dict[str, Callable[[HttpRequest, Membership, str], None]] = {
    "role": _set_role,
    "deactivate": _deactivate,
    "reactivate": _reactivate,
    "link": _renew_link,
}


def _keep_link(request: HttpRequest, project: Project, user) -> None:
    url = set_password_url(request, user)
    request.session[NEW_LINK] = {"project": project.slug, "username": user.username, "url": url}


def _new_link(request: HttpRequest, project: Project) -> dict | None:
    """The link kept by the last change, shown on this page load and never again."""
    link = request.session.get(NEW_LINK)
    if link is None or link.get("project") != project.slug:
        return None
    del request.session[NEW_LINK]
    return link


def _after_change(request: HttpRequest, project: Project) -> HttpResponse:
    """Back to the page, unless the lead just gave up being one (or their own access)."""
    now = member_project(request.user, project.slug)
    if now is None:
        return redirect("home")
    if now.member_role != Role.LEAD:
        return redirect("project_detail", slug=project.slug)
    return redirect("members", slug=project.slug)
