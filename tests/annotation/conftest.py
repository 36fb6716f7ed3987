from __future__ import annotations

import pytest
from django.db import connection

from annotation import queue
from tests.services import queue_paths


@pytest.fixture(params=queue_paths())
def queue_path(request, monkeypatch) -> str:
    """Each queue test once per way the database can run the queue (annotation/queue_pg.py)."""
    if request.param == "python":
        monkeypatch.setattr(queue, "in_database", lambda conn: False)
    else:  # the functions path must really be the one taken, not fall back unnoticed
        connection.ensure_connection()
        assert queue.in_database(connection)
    return request.param
