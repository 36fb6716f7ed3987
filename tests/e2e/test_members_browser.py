from __future__ import annotations

import pytest

from annotation.models import Membership, Role
from tests.e2e.conftest import log_in
from tests.factories import MembershipFactory, PairFactory, ProjectFactory, UserFactory

PASSWORD = "pw-for-tests-123"
NEW_PASSWORD = "a-fresh-password-789"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lead_of_a_project():
    project = ProjectFactory(slug="e2e", name="E2E")
    lead = UserFactory(username="boss")
    MembershipFactory(project=project, user=lead, role=Role.LEAD)
    PairFactory(project=project)
    return project


def test_a_lead_adds_a_person_who_sets_a_password_logs_in_and_annotates(
    live_server, browser, page, lead_of_a_project
):
    log_in(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e/")
    page.click("text=Members")
    page.fill("#add-member input[name=username]", "newbie")
    page.fill("#add-member input[name=email]", "newbie@example.org")
    page.click("#add-member button[type=submit]")
    page.wait_for_selector("#set-password-link")
    link = page.input_value("#set-password-link")
    assert Membership.objects.get(user__username="newbie").role == Role.ANNOTATOR

    newcomer = browser.new_context().new_page()  # the newcomer's own browser: no lead session
    newcomer.goto(link)
    newcomer.fill("input[name=new_password1]", NEW_PASSWORD)
    newcomer.fill("input[name=new_password2]", NEW_PASSWORD)
    newcomer.click("#set-password button[type=submit]")
    newcomer.wait_for_url(f"{live_server.url}/login/")
    assert "Your password is set" in newcomer.content()
    log_in(newcomer, live_server.url, "newbie", NEW_PASSWORD)
    newcomer.click("#projects >> text=Annotate")
    newcomer.wait_for_url(f"{live_server.url}/projects/e2e/annotate/")
    newcomer.wait_for_selector("#workbench")
    newcomer.goto(link)
    assert "This link no longer works" in newcomer.content()
    newcomer.context.close()
