from __future__ import annotations

from django.core.management.base import BaseCommand

from selection.demo import demo_load


class Command(BaseCommand):
    help = "Create the bundled demo project with real data, demo users and a filled queue."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="the port the demo serves on")

    def handle(self, *args, **opts) -> None:
        report = demo_load()
        for line in report.lines:
            self.stdout.write(line)
        url = f"http://127.0.0.1:{opts['port']}/"
        self.stdout.write(self.style.SUCCESS(f"Demo ready: open {url} and log in."))
