from __future__ import annotations

import os

import pytest

from annotation.models import Role
from tests import services
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

# One BLAS thread (numpy is not imported yet): the effort simulation's many small solves ran up to
# ten times slower with OpenBLAS's threads competing for a busy 2-core machine's cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

SERVICE_MARKERS = {
    "postgres": services.postgres_reason,
    "redis": services.redis_reason,
    "celery_worker": services.celery_worker_reason,
    "browser": services.chromium_reason,
}


@pytest.fixture(autouse=True)
def _require_services(request):
    """Skip tests whose service is missing, saying why; in CI a missing service is a failure."""
    for marker, reason_of in SERVICE_MARKERS.items():
        if request.node.get_closest_marker(marker) is None:
            continue
        reason = reason_of()
        if reason is None:
            continue
        if services.in_ci():
            pytest.fail(f"CI must run every test, but: {reason}")
        pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Hash with MD5 in tests: Django's PBKDF2 costs a good part of a second per user created or
    logged in. The app keeps Django's default hashers (still accepted here, for a hash a worker
    process made); test_auth_backend checks them once."""
    from django.conf import global_settings
    from django.test import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher", *global_settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=fast):
        yield


@pytest.fixture(autouse=True)
def _fresh_queue_counts():
    """The annotate page's queue counts are kept per process: no test sees another's."""
    from annotation import workbench

    workbench._queue_counts.clear()


@pytest.fixture
def project(db):
    return ProjectFactory(name="Demo", slug="demo")


@pytest.fixture
def lead(project):
    user = UserFactory(username="lead")
    MembershipFactory(project=project, user=user, role=Role.LEAD)
    return user


@pytest.fixture
def annotator(project):
    user = UserFactory(username="annotator")
    MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process, as the demo does, even when REDIS_URL names a broker."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Close connections after each request: the live server's request threads must not keep
    PostgreSQL sessions open past the test (they would block dropping the test database)."""
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rolled-back tests reuse row ids; a cache entry from one test must not meet the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
