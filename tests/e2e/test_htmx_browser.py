"""htmx really runs in the browser: answers swap in place, live pages poll, and no page logs an
error or fails a request. Each test here fails when htmx is missing from the page: the answer
then reloads the page, and the polling sections never change."""

from __future__ import annotations

import pytest

from annotation.models import ExportJob, ImportJob, Label, Pair, Role
from selection.models import EffortRun, SelectionRun
from tests.e2e.conftest import htmx_loaded, log_in, mark_page, page_was_kept
from tests.factories import MembershipFactory, PairFactory, ProjectFactory, UserFactory

PASSWORD = "pw-for-tests-123"
# Pressed key -> the side it answers, as shown on screen.
KEYS = [("1", "left"), ("2", "right"), ("ArrowLeft", "left"), ("ArrowRight", "right"),
        ("3", "tie"), ("4", "both_bad"), ("0", "skip"), ("s", "skip"), ("1", "left"),
        ("2", "right")]  # fmt: skip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    project = ProjectFactory(slug="e2e", name="E2E", guidelines="Pick the **better** answer.")
    for username, role in (("ann", Role.ANNOTATOR), ("boss", Role.LEAD)):
        MembershipFactory(project=project, user=UserFactory(username=username), role=role)
    return project


def stored(side: str, swapped: bool) -> str:
    """The stored choice of an answer given on screen."""
    if side not in ("left", "right"):
        return side
    return {"left": "a", "right": "b"}[side] if not swapped else {"left": "b", "right": "a"}[side]


def test_ten_keyboard_answers_swap_in_place_and_store_the_sides_shown(
    live_server, page, watch, team, settings
):
    settings.QUEUE_COUNTS_MAX_AGE = 0
    for i in range(12):
        PairFactory(project=team, priority=12 - i, swapped=i % 2 == 1)
    log_in(page, live_server.url, "ann", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e/annotate/")
    assert htmx_loaded(page)
    mark_page(page)
    shown = []
    for done, (key, _side) in enumerate(KEYS):
        page.wait_for_selector(f"#done-total:text-is('{done}')")
        shown.append(int(page.locator("#workbench").get_attribute("data-assignment")))
        page.keyboard.press(key)
    page.wait_for_selector("#done-total:text-is('10')")
    assert page_was_kept(page), "an answer reloaded the page instead of swapping the next pair in"
    labels = {label.assignment_id: label for label in Label.objects.select_related("pair")}
    assert len(labels) == 10
    for lease, (_key, side) in zip(shown, KEYS, strict=True):
        assert labels[lease].choice == stored(side, labels[lease].pair.swapped)
    still_open = Pair.objects.filter(project=team, status="open").count()
    assert still_open == 4  # two were skipped, which leaves a pair open
    assert page.locator("#queue-open").inner_text() == str(still_open)
    watch.assert_clean()


def test_answers_by_mouse_and_undo_by_keyboard_swap_in_place_and_give_back_the_rationale(
    live_server, page, watch, team
):
    for i in range(3):
        PairFactory(project=team, priority=3 - i)
    log_in(page, live_server.url, "ann", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e/annotate/")
    mark_page(page)
    first = page.locator("#workbench").get_attribute("data-assignment")
    page.keyboard.press("r")
    page.keyboard.type("the second one cites a source")
    page.keyboard.press("Escape")
    page.click("button[value=right]")
    page.wait_for_selector("#done-total:text-is('1')")
    page.keyboard.press("u")
    page.wait_for_selector("#notice:has-text('Undone')")
    assert page.locator("#workbench").get_attribute("data-assignment") != first  # a new lease
    assert page.input_value("textarea[name=rationale]") == "the second one cites a source"
    assert page.locator("#done-total").inner_text() == "0"
    assert page_was_kept(page)
    watch.assert_clean()


def test_unfenced_code_keeps_its_line_breaks(live_server, page, team):
    pair = PairFactory(project=team)
    code = "Here is the function:\ndef add(a, b):\nreturn a + b"
    pair.response_a.text = pair.response_b.text = code
    pair.response_a.save()
    pair.response_b.save()
    log_in(page, live_server.url, "ann", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e/annotate/")
    text = page.locator("#response-left .response-body").inner_text()
    assert text.strip().splitlines() == code.splitlines()


def test_on_a_phone_the_answer_buttons_stay_on_screen(live_server, browser, team):
    pair = PairFactory(project=team)
    long = "\n\n".join(f"Paragraph {i} of a long answer." for i in range(60))
    pair.response_a.text = long
    pair.response_a.save()
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    phone = context.new_page()
    log_in(phone, live_server.url, "ann", PASSWORD)
    phone.goto(f"{live_server.url}/projects/e2e/annotate/")
    phone.mouse.wheel(0, 2000)
    box = phone.locator("button[value=left]").bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= 844
    phone.click("button[value=left]")
    phone.wait_for_selector("#done-total:text-is('1')")
    context.close()


def test_the_selection_page_shows_a_worker_s_progress_without_a_reload(
    live_server, page, watch, team
):
    run = SelectionRun.objects.create(project=team, strategy="random", status="running",
                                      progress=0.1)  # fmt: skip
    log_in(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e/selection/")
    mark_page(page)
    SelectionRun.objects.filter(id=run.id).update(
        status="done", progress=1.0, counts={"pairs_created": 4321}
    )
    page.wait_for_selector("#runs td:text-is('4321')", timeout=10_000)
    assert page_was_kept(page)
    watch.assert_clean()


def test_the_effort_dashboard_shows_a_run_s_stage_and_new_labels_as_they_come(
    live_server, page, watch, team
):
    pair = PairFactory(project=team, arm="random")
    run = EffortRun.objects.create(project=team, kind="simulation", status="running",
                                   stage="fitting", progress=0.2)  # fmt: skip
    log_in(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e/effort/")
    mark_page(page)
    assert page.locator("#label-count").inner_text() == "0"
    Label.objects.create(pair=pair, annotator=UserFactory(username="ann"), choice="a")
    EffortRun.objects.filter(id=run.id).update(stage="bootstrapping intervals", progress=0.7)
    # The run's status polls itself; the dashboard's figures come with its own, slower refresh.
    page.wait_for_selector("text=bootstrapping intervals", timeout=5_000)
    page.wait_for_selector("#label-count:text-is('1')", timeout=15_000)
    assert page_was_kept(page)
    watch.assert_clean()


def test_import_and_export_pages_follow_their_job_to_the_end(live_server, page, watch, team):
    lead = UserFactory(username="boss")
    imported = ImportJob.objects.create(project=team, created_by=lead, file_path="/nonexistent",
                                        file_name="pool.jsonl", status="running",
                                        bytes_total=1000, bytes_done=10)  # fmt: skip
    exported = ExportJob.objects.create(project=team, created_by=lead, status="running",
                                        params={"fmt": "jsonl"})  # fmt: skip
    log_in(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e/imports/{imported.id}/")
    mark_page(page)
    ImportJob.objects.filter(id=imported.id).update(
        status="done", bytes_done=1000,
        result={"file": "pool.jsonl", "file_format": "grouped", "records_read": 17,
                "records_kept": 17, "counts": {"prompts_created": 17, "responses_created": 34}},
    )  # fmt: skip
    page.wait_for_selector("#prompts-created:text-is('17')", timeout=10_000)
    assert page_was_kept(page)
    page.goto(f"{live_server.url}/projects/e2e/exports/{exported.id}/")
    mark_page(page)
    ExportJob.objects.filter(id=exported.id).update(
        status="failed", error="the disk was full (a test's stand-in for a worker's report)"
    )
    page.wait_for_selector("text=the disk was full", timeout=10_000)
    assert page_was_kept(page)
    watch.assert_clean()


def lead_pages(project) -> list[str]:
    disputed = PairFactory(project=project)
    for name, choice in (("ann", "a"), ("boss", "b")):
        Label.objects.create(pair=disputed, annotator=UserFactory(username=name), choice=choice)
    slug = project.slug
    return ["/", f"/projects/{slug}/", f"/projects/{slug}/members/",
            f"/projects/{slug}/annotate/", f"/projects/{slug}/selection/",
            f"/projects/{slug}/effort/", f"/projects/{slug}/import/", f"/projects/{slug}/export/",
            f"/projects/{slug}/pairs/{disputed.id}/adjudicate/"]  # fmt: skip


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_every_page_loads_htmx_without_a_console_error_or_a_failed_request(
    live_server, browser, team, width, height
):
    from tests.e2e.conftest import PageWatch

    for i in range(3):
        PairFactory(project=team, priority=i)
    pages = {"boss": lead_pages(team), "ann": ["/", "/projects/e2e/", "/projects/e2e/annotate/"]}
    for username, paths in pages.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        watch = PageWatch(page)
        log_in(page, live_server.url, username, PASSWORD)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert htmx_loaded(page), f"htmx is not running on {path}"
        watch.assert_clean()
        context.close()
