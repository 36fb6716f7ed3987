"""The Jinja2 environment for the few templates that render on every answer (templates/jinja2/).

Django's own engine renders the rest; Jinja2 is used where a page is drawn hundreds of times a
second, because it compiles a template to Python once. Autoescaping is on (Django's backend
turns it on); `url` is Django's `reverse`, remembered per URLconf, script prefix and arguments.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.urls import URLResolver, get_resolver, get_script_prefix, get_urlconf, reverse
from jinja2 import Environment


def url(name: str, *args: Any) -> str:
    """Django's `reverse(name, args=args)`; the answer page asks for the same two URLs on every
    answer, and reversing one costs more than drawing the rest of that page's markup."""
    return _reversed(get_resolver(get_urlconf()), get_script_prefix(), name, args)


@lru_cache(maxsize=1024)
def _reversed(resolver: URLResolver, prefix: str, name: str, args: tuple) -> str:
    # `resolver` is Django's cached resolver of the URLconf in force: a changed URLconf
    # (clear_url_caches) gives a new one, so nothing remembered for the old one is used.
    return reverse(name, urlconf=resolver.urlconf_name, args=args)


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 (Django's backend passes autoescape=True)
    env.globals["url"] = url
    return env
