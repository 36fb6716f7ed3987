"""Django's message middleware, with the storage made only when a request uses it.

Django's middleware builds the message storage (a cookie store and a session store behind a
fallback) on every request and asks it to save itself on every response. Most requests here
neither add nor show a message: the htmx answer, the lease, the API. This middleware puts a lazy
storage in its place, which `messages.add_message`, `get_messages` and the template context
build on first use; a response whose request never used it has nothing to save, so it is left
alone, as Django's storage would leave it.
"""

from __future__ import annotations

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty


class LazyMessageMiddleware(MessageMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if unused(getattr(request, "_messages", None)):
            return response
        return super().process_response(request, response)


def unused(storage: object) -> bool:
    """Whether `storage` is a lazy storage that nothing has built yet."""
    return type(storage) is SimpleLazyObject and storage._wrapped is empty
