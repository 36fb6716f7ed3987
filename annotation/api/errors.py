"""Errors as structured JSON: {"error": {"status", "code", "message", "fields"}}."""

from __future__ import annotations

from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler

from config.transient import BUSY, is_transient


class DatabaseBusy(APIException):
    """A transient database error that outlived its retry (config/transient.py)."""

    status_code = 503
    default_detail = BUSY
    default_code = "database_busy"


def structured_errors(exc, context):
    if is_transient(exc):
        exc = DatabaseBusy()
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    fields: dict = {}
    if isinstance(detail, dict) and "detail" not in detail:
        fields, message = detail, "Some fields are invalid."
    elif isinstance(detail, list):
        message = " ".join(str(d) for d in detail)
    else:
        message = str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail)
    code = getattr(exc, "default_code", "error")
    if hasattr(exc, "get_codes") and isinstance(exc.get_codes(), str):
        code = exc.get_codes()
    response.data = {"error": {"status": response.status_code, "code": code,
                               "message": message, "fields": fields}}  # fmt: skip
    if isinstance(exc, DatabaseBusy):
        response["Retry-After"] = "1"
    return response
