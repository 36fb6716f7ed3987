from __future__ import annotations

import pytest

from annotation.models import Label, Role
from selection.models import SpaRound
from tests.e2e.conftest import log_in
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

PASSWORD = "pw-for-tests-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_confirms_a_round_sees_it_pending_audit_and_reverts_it(
    live_server, page, eager_tasks, settings
):
    from tests.selection.effort_helpers import spa_seeded

    settings.CELERY_TASK_ALWAYS_EAGER = True  # as in `make demo`: the round runs in the request
    project = spa_seeded(ProjectFactory(slug="e2e-spa"), decided=50, unlabeled=30)
    MembershipFactory(project=project, user=UserFactory(username="boss"), role=Role.LEAD)
    log_in(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e-spa/effort/")
    assert page.locator("#spa-form select[name=judge]").input_value() == "embedding"
    page.click("#spa-form button[type=submit]")
    page.wait_for_selector("#spa-confirm")
    assert page.inner_text("#spa-judged") == "30"
    assert page.inner_text("#spa-seed") == "50"
    assert not SpaRound.objects.exists()  # the confirmation page starts nothing
    page.click("#spa-confirm-start")
    page.wait_for_selector("#spa-round-1")
    assert "SPA round 1 finished: judged 30, held" in page.inner_text(".messages")
    assert page.inner_text("#spa-round-1 .spa-state").startswith("pending audit")
    assert not Label.objects.filter(source="model").exists()
    page.click("#spa-round-1 button:has-text('Revert round')")
    page.wait_for_selector(".messages >> text=SPA round 1 reverted")
    assert page.inner_text("#spa-round-1 .spa-state").startswith("reverted")
    assert SpaRound.objects.get().review == "reverted"
