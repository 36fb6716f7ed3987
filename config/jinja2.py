"""The Jinja2 environment for the few templates that render on every answer (templates/jinja2/).

Django's own engine renders the rest; Jinja2 is used where a page is drawn hundreds of times a
second, because it compiles a template to Python once. Autoescaping is on (Django's backend
turns it on); `url` is Django's `reverse`.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from jinja2 import Environment


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 (Django's backend passes autoescape=True)
    env.globals["url"] = url
    return env
