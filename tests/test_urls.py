from __future__ import annotations

import re

import pytest
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

ANNOTATE_URLS = ["annotate", "annotate_submit", "annotate_undo"]


@pytest.mark.parametrize("name", ANNOTATE_URLS)
def test_the_annotate_urls_are_tried_before_admin_and_the_api(name):
    match = resolve(reverse(name, args=["demo"]))
    assert match.url_name == name
    tried = {str(patterns[0].pattern) for patterns in match.tried}
    assert not tried & {"admin/", "api/v1/"}


SAMPLES = {"slug": "s1", "id": "1", "int": "1", "str": "x", "path": "x/y"}
PARAM = re.compile(r"<(?:(\w+):)?\w+>")


def every_named_route(patterns=None, prefix="", namespace=""):
    """(view name, a URL) for each named route written with path(), through every include."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # a regular expression (the admin's per-model pages): no sample to fill
        route = PARAM.sub(lambda m: SAMPLES[m.group(1) or "str"], entry.pattern._route)
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from every_named_route(entry.url_patterns, prefix + route, space)
        elif entry.name:
            yield namespace + entry.name, "/" + prefix + route


def test_no_route_shadows_another():
    """The root URLconf's order decides which of two overlapping routes wins: every named
    route must resolve back to itself."""
    routes = list(every_named_route())  # a list: a name given twice is checked twice
    for name, url in routes:
        assert resolve(url).view_name == name, url
    assert {"annotate", "login", "api-lease", "admin:index", "effort"} <= {n for n, _ in routes}
