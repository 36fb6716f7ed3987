"""Django's PostgreSQL backend, with the annotation queue's functions in every new session."""

from __future__ import annotations

import logging

from django.db.backends.postgresql import base
from psycopg import errors

logger = logging.getLogger(__name__)
NO_TEMPORARY = (
    "The annotation queue runs its statements one by one: this database role may not create "
    "temporary functions (%s). GRANT TEMPORARY ON DATABASE to it for one statement per "
    "answer, or set DATABASE_PREPARED_STATEMENTS=0 to choose the slower path on purpose."
)


class DatabaseWrapper(base.DatabaseWrapper):
    # True once this connection's session holds the queue's functions (annotation/queue_pg.py).
    queue_functions = False
    _warned = False

    def init_connection_state(self) -> None:
        super().init_connection_state()
        self.queue_functions = self._install_queue_functions()

    def _install_queue_functions(self) -> bool:
        from annotation.queue_pg import install

        try:
            with self.connection.cursor() as cursor:
                install(cursor)
        except errors.InsufficientPrivilege as exc:
            if not self.get_autocommit():
                self.connection.rollback()
            if not DatabaseWrapper._warned:  # once per process, not per connection
                DatabaseWrapper._warned = True
                logger.warning(NO_TEMPORARY, exc)
            return False
        return True
