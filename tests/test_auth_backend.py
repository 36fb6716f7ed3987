"""Signing in and out: Django's session checks hold for every signed-in request."""

from __future__ import annotations

import pytest
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
