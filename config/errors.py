"""Errors outside a view's own handling: the API answers them as JSON in its error format
(annotation/api/errors.py), every other page as a styled HTML page (templates/4xx, 5xx)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

from config.transient import BUSY, is_transient

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


def error_body(status: int, code: str, message: str, fields: dict | None = None) -> dict:
    """The API's error format: {"error": {"status", "code", "message", "fields"}}."""
    return {"error": {"status": status, "code": code, "message": message, "fields": fields or {}}}


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(404, "not_found", "No such address in the API."), status=404)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        message = "Something went wrong on our side; the error has been logged."
        return JsonResponse(error_body(500, "server_error", message), status=500)
    return defaults.server_error(request)


def busy_response(request: HttpRequest) -> HttpResponse:
    """A transient database error that outlived its retry: 503, nothing saved, try again."""
    if _is_api(request):
        response = JsonResponse(error_body(503, "database_busy", BUSY), status=503)
    else:
        response = render(request, "503.html", {"message": BUSY}, status=503)
    response["Retry-After"] = "1"
    return response


class DatabaseBusyMiddleware:
    """Answers a transient database error that reached Django (config/transient.py) with a
    503 that says to try again, instead of the 500 that any other error gets."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_transient(exception):
            return None
        logger.warning("%s %s: %s", request.method, request.path, exception)
        return busy_response(request)
