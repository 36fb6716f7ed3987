"""Django's PostgreSQL backend, with the annotation queue's functions in every new session."""

from __future__ import annotations

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    # True once this connection's session holds the queue's functions (annotation/queue_pg.py).
    queue_functions = False

    def init_connection_state(self) -> None:
        super().init_connection_state()
        from annotation.queue_pg import install

        with self.connection.cursor() as cursor:
            install(cursor)
        self.queue_functions = True
