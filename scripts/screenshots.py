"""Screenshots of every page, on a laptop and on a phone, for a reviewer who does not run the app.

A fresh demo database in var/screenshots-db/, the demo server on a free port, and headless
Chromium as two people: the demo annotator labels a few pairs, the demo lead disagrees on some,
imports a file and exports a dataset, so every page has something on it. The pictures and an
index.html land in var/screenshots/ (or --out). Any page that logs a script error, fails a
request, or does not run htmx stops the script with exit status 1.

    make screenshots      # or: .venv/bin/python scripts/screenshots.py --out DIR
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SLUG = "alpacaeval-demo"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
PEOPLE = {"lead": ("demo-lead", "demo-lead-pass"), "annotator": ("demo-annotator", "demo-pass")}
IMPORT_SAMPLE = (
    '{"prompt_id": "shot-1", "prompt": "Name a prime number.", "responses": '
    '[{"model": "m1", "text": "7"}, {"model": "m2", "text": "Nine."}]}\n'
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    out = parser.parse_args().out
    env = demo_environment(ROOT / "var" / "screenshots-db")
    prepare_database(env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/login/")
        shots, problems = take_all(f"http://127.0.0.1:{port}", out)
    finally:
        server.terminate()
        server.wait(timeout=15)
    write_index(out, shots)
    print(f"{len(shots)} screenshots in {out} (open {out / 'index.html'})")
    if problems:
        print("Problems seen in the browser:\n" + "\n".join(f"- {p}" for p in problems))
        raise SystemExit(1)


def demo_environment(var_dir: Path) -> dict[str, str]:
    shutil.rmtree(var_dir, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PAIRSMITH_VAR_DIR=str(var_dir), DEBUG="1", HF_HUB_OFFLINE="1")
    return env


def prepare_database(env: dict[str, str]) -> None:
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own http URL)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


class Browser:
    """One person's browser at one size, noting what goes wrong on each page."""

    def __init__(self, chromium, base: str, size: str, out: Path) -> None:
        width, height = SIZES[size]
        self.context = chromium.new_context(viewport={"width": width, "height": height})
        self.page: Page = self.context.new_page()
        self.base, self.size, self.out = base, size, out
        self.problems: list[str] = []
        self.shots: list[tuple[str, str, str]] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        self.page.on("pageerror", lambda e: self.problems.append(f"uncaught: {e}"))
        self.page.on("response", self._response)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def log_in(self, who: str) -> None:
        username, password = PEOPLE[who]
        self.page.goto(f"{self.base}/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.keyboard.press("Enter")
        self.page.wait_for_url(f"{self.base}/")

    def shoot(self, name: str, path: str | None = None, ours: bool = True) -> None:
        """A full-page picture; `ours` pages are drawn by base.html and so run htmx."""
        if path is not None:
            self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state("networkidle")
        if ours and not self.page.evaluate("typeof window.htmx === 'object'"):
            self.problems.append(f"htmx is not running on {self.page.url}")
        file = f"{self.size}-{name}.png"
        self.page.screenshot(path=self.out / file, full_page=True)
        self.shots.append((self.size, name, file))


def take_all(base: str, out: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    shots, problems = [], []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for size in SIZES:
            for who, visit in (("annotator", annotator_pages), ("lead", lead_pages)):
                person = Browser(chromium, base, size, out)
                person.log_in(who)
                visit(person, first=size == "desktop")
                shots += person.shots
                problems += [f"{size}, {who}: {p}" for p in person.problems]
                person.context.close()
        chromium.close()
    return shots, problems


def answer(person: Browser, keys: str) -> None:
    page = person.page
    for key in keys:
        done = page.locator("#done-total").inner_text()
        page.keyboard.press(key)
        # A locator wait: the page's Content-Security-Policy refuses evaluated strings.
        expect(page.locator("#done-total")).not_to_have_text(done, timeout=15_000)


def annotator_pages(person: Browser, first: bool) -> None:
    person.shoot("annotator-home", "/")
    person.shoot("annotate", f"/projects/{SLUG}/annotate/")
    if first:  # the desktop run labels; the phone run sees the same pages with its answers
        answer(person, "1212341")
    person.page.keyboard.press("u")
    person.page.wait_for_selector("#notice")
    person.shoot("annotate-after-undo")
    person.shoot("annotator-progress", f"/projects/{SLUG}/")


def lead_pages(person: Browser, first: bool) -> None:
    page = person.page
    if first:  # answers unlike the annotator's, so the lead page lists disagreements
        page.goto(f"{person.base}/projects/{SLUG}/annotate/")
        # Always the right-hand response: the annotator's left-hand answers are disagreed with
        # even where a gold pair shifts one queue against the other (alternating answers would
        # then agree everywhere).
        answer(person, "2222222")
    person.shoot("home", "/")
    person.shoot("lead-project", f"/projects/{SLUG}/")
    adjudicate = page.locator("a[href*='/adjudicate/']").first.get_attribute("href")
    person.shoot("adjudicate", adjudicate)
    person.shoot("adjudicate-revealed", f"{adjudicate}?reveal=models")
    for name in ("members", "selection", "effort", "import", "export"):
        person.shoot(name, f"/projects/{SLUG}/{name}/")
    add_person(person, f"new-{person.size}")
    page.goto(f"{person.base}/projects/{SLUG}/effort/")
    page.click("#spa-form button[type=submit]")
    page.wait_for_selector("#spa-confirm, .messages")  # the confirmation, or why not
    person.shoot("spa-start")  # the demo has too small a seed: the page says so
    for name, start in (("import-job", start_import), ("export-job", start_export)):
        start(person)
        page.wait_for_load_state("networkidle")
        person.shoot(name)
    person.shoot("api-docs", "/api/v1/docs/", ours=False)


def add_person(person: Browser, username: str) -> None:
    """The members page with a new person's one-time link, then the page that link opens."""
    page = person.page
    page.goto(f"{person.base}/projects/{SLUG}/members/")
    page.fill("#add-member input[name=username]", username)
    page.click("#add-member button[type=submit]")
    page.wait_for_selector("#set-password-link")
    person.shoot("members-new-link")
    person.shoot("set-password", page.input_value("#set-password-link").removeprefix(person.base))


def start_import(person: Browser) -> None:
    person.page.goto(f"{person.base}/projects/{SLUG}/import/")
    sample = {"name": "sample.jsonl", "mimeType": "application/jsonl",
              "buffer": IMPORT_SAMPLE.encode()}  # fmt: skip
    person.page.set_input_files("input[type=file]", files=[sample])
    person.page.click("form button[type=submit]")


def start_export(person: Browser) -> None:
    person.page.goto(f"{person.base}/projects/{SLUG}/export/")
    person.page.click("#export-form button[type=submit]")


def write_index(out: Path, shots: list[tuple[str, str, str]]) -> None:
    rows = "\n".join(
        f"<figure><figcaption>{html.escape(size)}: {html.escape(name)}</figcaption>"
        f'<a href="{html.escape(file)}"><img src="{html.escape(file)}" loading="lazy" '
        f'alt="{html.escape(name)}"></a></figure>'
        for size, name, file in shots
    )
    style = "body{font:14px system-ui;margin:1rem}figure{display:inline-block;margin:.5rem;" \
        "vertical-align:top}img{width:320px;border:1px solid #ccc}"  # fmt: skip
    out.joinpath("index.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>Pairsmith screenshots</title>"
        f"<style>{style}</style><h1>Pairsmith: every page</h1>{rows}\n"
    )


if __name__ == "__main__":
    main()
