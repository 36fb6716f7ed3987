from __future__ import annotations

from django.core.management.base import BaseCommand

from annotation.demo import demo_load


class Command(BaseCommand):
    help = "Create the bundled demo project with real data, demo users and a filled queue."

    def handle(self, *args, **opts) -> None:
        report = demo_load()
        for line in report.lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo ready: open http://127.0.0.1:8000/ and log in."))
