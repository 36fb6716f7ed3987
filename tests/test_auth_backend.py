"""Signing in and out: Django's session checks hold for every signed-in request."""

from __future__ import annotations

import pytest
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signing_in_works_and_a_password_change_elsewhere_signs_a_session_out(client):
    person = UserFactory(username="ada")
    response = client.post(reverse("login"), {"username": "ada", "password": "pw-for-tests-123"})
    assert response.status_code == 302
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
