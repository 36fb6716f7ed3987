"""The signed-in user is read by config.auth.ModelBackend: the same user Django's would give."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.auth import ModelBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fields(user) -> dict:
    return {f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields}


def test_it_reads_every_field_as_django_s_backend_does():
    person = UserFactory(email="a@example.org", first_name="Ada", is_staff=True)
    person.last_login = timezone.now() - timedelta(hours=3)
    person.save()
    ours, theirs = ModelBackend().get_user(person.pk), DjangoModelBackend().get_user(person.pk)
    assert _fields(ours) == _fields(theirs)
    assert timezone.is_aware(ours.last_login)
    assert timezone.is_aware(ours.date_joined)
    assert ours._state.adding is False
    assert ours._state.db == "default"


def test_it_reads_the_user_with_one_query_and_takes_the_key_as_the_session_stores_it():
    person = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        assert ModelBackend().get_user(str(person.pk)).pk == person.pk
    assert len(queries) == 1


def test_an_inactive_a_missing_or_a_malformed_user_is_nobody():
    inactive = UserFactory(is_active=False)
    backend = ModelBackend()
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(inactive.pk + 1000) is None
    assert backend.get_user("not-a-key") is None


def test_signing_in_uses_this_backend_and_a_password_change_elsewhere_signs_a_session_out(client):
    person = UserFactory(username="ada")
    response = client.post(reverse("login"), {"username": "ada", "password": "pw-for-tests-123"})
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "config.auth.ModelBackend"
    assert client.get(reverse("home")).status_code == 200
    person.set_password("another-password-456")
    person.save()
    assert client.get(reverse("home")).status_code == 302  # back to the login page


def test_a_deactivated_person_is_signed_out_on_their_next_request(client):
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("home")).status_code == 200
    get_user_model().objects.filter(pk=person.pk).update(is_active=False)
    assert client.get(reverse("home")).status_code == 302


def test_outside_the_tests_passwords_are_stored_with_django_s_pbkdf2_and_still_sign_in(
    client, settings
):
    # The suite hashes with MD5 for speed (tests/conftest.py); the app sets no hashers of its own.
    import config.settings as app_settings

    assert not hasattr(app_settings, "PASSWORD_HASHERS")
    person = UserFactory(username="ada")
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    person.set_password("a-real-hash-789")
    person.save()
    assert person.password.startswith("pbkdf2_sha256$")
    response = client.post(reverse("login"), {"username": "ada", "password": "a-real-hash-789"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
