from __future__ import annotations

import pytest
from django.db import connections


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch, page):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself (setup and assertions) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield
    # ORM calls made while Playwright's loop runs get their own connection: close it here,
    # while that loop still runs (this fixture ends before `page` does).
    connections.close_all()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/")


class PageWatch:
    """What went wrong on a page as a person would notice it: script errors in the console, and
    requests that failed or came back with an error status."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.failed: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.request.method} {response.url}")

    def _request_failed(self, request) -> None:
        # A poll still in flight when the page navigates away is cancelled, not failed.
        if request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.failure} {request.method} {request.url}")

    def assert_clean(self) -> None:
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.failed == [], f"failed requests: {self.failed}"


@pytest.fixture
def watch(page) -> PageWatch:
    return PageWatch(page)


MARKER = "window.__pairsmithSamePage"


def mark_page(page) -> None:
    """Set a value that lives only as long as this document: a reload or a full navigation
    loses it, an htmx swap keeps it."""
    page.evaluate(f"{MARKER} = true")


def page_was_kept(page) -> bool:
    return page.evaluate(f"{MARKER} === true")


def htmx_loaded(page) -> bool:
    return page.evaluate("typeof window.htmx === 'object' && typeof htmx.version === 'string'")
