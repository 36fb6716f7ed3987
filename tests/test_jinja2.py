"""The Jinja2 environment's `url` (config/jinja2.py): Django's `reverse`, remembered."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import override_settings
from django.urls import get_script_prefix, path, reverse, set_script_prefix

from config.jinja2 import url


def _elsewhere(request, slug):
    return HttpResponse()


# A second URLconf (this module), in which the same name leads somewhere else.
urlpatterns = [path("elsewhere/<slug:slug>/", _elsewhere, name="annotate")]


def test_url_is_django_s_reverse():
    assert url("annotate", "demo") == reverse("annotate", args=["demo"])
    assert url("annotate", "other") == reverse("annotate", args=["other"])


def test_url_follows_the_script_prefix_of_each_request():
    plain = url("annotate", "demo")
    before = get_script_prefix()
    set_script_prefix("/mounted/")
    try:
        assert url("annotate", "demo") == "/mounted" + plain
    finally:
        set_script_prefix(before)
    assert url("annotate", "demo") == plain


def test_url_follows_a_changed_urlconf():
    plain = url("annotate", "demo")
    with override_settings(ROOT_URLCONF=__name__):
        assert url("annotate", "demo") == "/elsewhere/demo/"
    assert url("annotate", "demo") == plain
