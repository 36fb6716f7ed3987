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
