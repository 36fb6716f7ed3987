from __future__ import annotations

import pytest

from annotation.models import Label, Response, Role
from tests.e2e.conftest import log_in
from tests.factories import MembershipFactory, PairFactory, ProjectFactory, UserFactory

PASSWORD = "pw-for-tests-123"
KEYS = ["1", "2", "ArrowLeft", "ArrowRight", "3", "4", "1", "2", "ArrowLeft", "2"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def annotator_in_project():
    project = ProjectFactory(slug="e2e", guidelines="Pick the **better** answer.")
    user = UserFactory(username="ann")
    MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    return project, user


def test_an_annotator_labels_ten_pairs_with_the_keyboard_only(
    live_server, page, annotator_in_project
):
    project, user = annotator_in_project
    for i in range(12):
        PairFactory(project=project, priority=12 - i)
    log_in(page, live_server.url, "ann", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e/annotate/")
    for done, key in enumerate(KEYS):
        page.wait_for_selector(f"#done-total:text-is('{done}')")
        page.wait_for_timeout(300)  # a person reads before answering
        page.keyboard.press(key)
    page.wait_for_selector("#done-total:text-is('10')")
    labels = Label.objects.filter(annotator=user)
    assert labels.count() == 10
    assert all(label.active_seconds > 0 for label in labels)
    assert all(label.server_seconds > 0 for label in labels)
    assert page.locator("#done-session").inner_text() == "10"


def test_undo_with_the_keyboard_brings_back_the_last_pair(live_server, page, annotator_in_project):
    project, user = annotator_in_project
    for i in range(3):
        PairFactory(project=project, priority=3 - i)
    log_in(page, live_server.url, "ann", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e/annotate/")
    first = page.locator("#workbench").get_attribute("data-assignment")
    page.keyboard.press("1")
    page.wait_for_selector("#done-total:text-is('1')")
    assert page.locator("#workbench").get_attribute("data-assignment") != first
    page.keyboard.press("u")
    page.wait_for_selector("#done-total:text-is('0')")
    assert Label.objects.live().filter(annotator=user).count() == 0
    assert Label.objects.filter(annotator=user, superseded_at__isnull=False).count() == 1


def test_hostile_model_output_renders_inert(live_server, page, annotator_in_project):
    project, _user = annotator_in_project
    pair = PairFactory(project=project)
    hostile = "\n\n".join(
        [
            "<script>window.__pwned = 1; alert('script')</script>",
            "<img src=x onerror=\"window.__pwned = 2; alert('img')\">",
            "[click me](javascript:window.__pwned=3)",
            '**bold** and <b onmouseover="window.__pwned=4">html in markdown</b>',
        ]
    )
    Response.objects.filter(id__in=[pair.response_a_id, pair.response_b_id]).update(text=hostile)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, live_server.url, "ann", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e/annotate/")
    page.wait_for_selector("#response-left strong")
    page.get_by_text("click me").first.click()
    page.hover("#response-left")
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".response img, .response script, .response b").count() == 0
    assert "<script>" in page.locator("#response-left").inner_text()
