"""Accounts: guessing passwords slows down, tokens end with the password, pages run no inline
script, and a proxy header is believed only when the deployment says so."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotation import login_limits
from tests.factories import PairFactory, UserFactory

PASSWORD = "pw-for-tests-123"
pytestmark = pytest.mark.django_db


def log_in(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)  # fmt: skip


def _let_the_window_pass(monkeypatch) -> None:
    """The local cache expires entries by its module's clock: move that clock past the window
    rather than wait. Redis (CI) expires keys by its own clock: there the window is waited out."""
    if isinstance(caches["default"], locmem.LocMemCache):
        later = time.time() + login_limits.WINDOW_SECONDS + 0.1
        monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: later))
    else:
        time.sleep(login_limits.WINDOW_SECONDS + 0.1)


def test_repeated_wrong_passwords_refuse_the_account_for_a_while_then_let_it_in(
    client, annotator, monkeypatch
):
    monkeypatch.setattr(login_limits, "WINDOW_SECONDS", 4)
    for _ in range(login_limits.PER_USERNAME):
        assert (
            "correct username and password" in log_in(client, "annotator", "wrong").content.decode()
        )
    refused = log_in(client, "annotator", PASSWORD, address="10.0.0.2")
    assert "Too many failed logins for this account" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    _let_the_window_pass(monkeypatch)  # the window ends by itself: nobody is locked out for good
    assert log_in(client, "annotator", PASSWORD).status_code == 302


def test_one_address_guessing_many_accounts_is_refused(client, annotator):
    for i in range(login_limits.PER_ADDRESS):
        log_in(client, f"someone-{i}", "wrong")
    refused = log_in(client, "annotator", PASSWORD)
    assert "Too many failed logins for this address" in refused.content.decode()
    assert log_in(client, "annotator", PASSWORD, address="10.0.0.9").status_code == 302


def test_the_token_endpoint_counts_failures_too_and_answers_429_in_json(annotator):
    api = APIClient(REMOTE_ADDR="10.0.0.3")
    for _ in range(login_limits.PER_USERNAME):
        wrong = api.post("/api/v1/token/", {"username": "annotator", "password": "x"})
        assert wrong.status_code == 400
    refused = api.post("/api/v1/token/", {"username": "annotator", "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.json()["error"]["message"]


def test_a_password_change_revokes_the_accounts_api_tokens(annotator):
    token = Token.objects.create(user=annotator)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/projects/").status_code == 200
    annotator.set_password("an-entirely-new-secret-42")
    annotator.save()
    assert not Token.objects.filter(user=annotator).exists()
    assert api.get("/api/v1/projects/").status_code == 401


def test_people_revoke_their_own_token(annotator):
    key = APIClient().post("/api/v1/token/", {"username": "annotator", "password": PASSWORD})
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key.json()['token']}")
    assert api.delete("/api/v1/token/").status_code == 204
    assert api.get("/api/v1/projects/").status_code == 401
    assert APIClient().delete("/api/v1/token/").status_code == 401


@pytest.mark.parametrize("password", ["12345678901", "password123", "annotator1"])
def test_weak_passwords_are_refused(password, annotator):
    with pytest.raises(ValidationError):
        validate_password(password, user=annotator)


def test_pages_send_a_content_security_policy_and_carry_no_inline_script(client, lead, project):
    PairFactory(project=project)
    client.force_login(lead)
    pages = ["/", "/annotate/", "/effort/", "/selection/", "/members/", "/export/"]
    for url in [pages[0], "/api/v1/docs/", *(f"/projects/demo{p}" for p in pages)]:
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())
        assert inline == [], url
        assert not re.search(r"\son[a-z]+=", response.content.decode()), url


def test_x_forwarded_proto_is_believed_only_when_configured(settings):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert settings.SECURE_PROXY_SSL_HEADER is None
    assert request.is_secure() is False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert request.is_secure() is True


def test_a_deployment_trusts_the_proxy_header_by_setting_it(monkeypatch):
    import importlib

    import config.settings as module

    monkeypatch.setenv("TRUST_X_FORWARDED_PROTO", "1")
    try:
        assert importlib.reload(module).SECURE_PROXY_SSL_HEADER == (
            "HTTP_X_FORWARDED_PROTO",
            "https",
        )
    finally:
        monkeypatch.delenv("TRUST_X_FORWARDED_PROTO")
        importlib.reload(module)


def test_strangers_are_refused_like_wrong_passwords(client):
    UserFactory(username="someone")
    page = log_in(client, "nobody-by-this-name", "wrong").content.decode()
    assert "correct username and password" in page
