"""Transient database errors: a deadlock's victim, a serialization failure. The statement lost
a race and nothing it did was kept, so the same work run again will most likely succeed: the
queue's services run it once more, and an error that outlives that is answered as "busy, try
again" (config/errors.py, annotation/api/errors.py), never as a 500."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection

logger = logging.getLogger(__name__)

# PostgreSQL's deadlock_detected and serialization_failure.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
BUSY = "The database was busy and nothing was saved: please try again."

P = ParamSpec("P")
R = TypeVar("R")
# Set while a retrying call runs: the calls it makes do not retry on their own.
_retrying: ContextVar[bool] = ContextVar("transient_retrying", default=False)


def is_transient(exc: BaseException) -> bool:
    """Whether `exc` is a database error that running the same work again may not meet."""
    cause = getattr(exc, "__cause__", None)
    return isinstance(exc, OperationalError) and (
        getattr(cause, "sqlstate", None) in TRANSIENT_SQLSTATES
    )


def retry_once(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` a second time if the first failed on a transient database error.

    Only where the failed work was rolled back whole, outside any transaction of the caller,
    and only in the outermost such call (the services call one another)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _retrying.get() or connection.in_atomic_block:
            return func(*args, **kwargs)
        token = _retrying.set(True)
        try:
            return _twice(func, *args, **kwargs)
        finally:
            _retrying.reset(token)

    return wrapper


def _twice(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    try:
        return func(*args, **kwargs)
    except OperationalError as exc:
        if not is_transient(exc):
            raise
        logger.warning("%s: %s; running it once more", func.__qualname__, exc)
    return func(*args, **kwargs)
