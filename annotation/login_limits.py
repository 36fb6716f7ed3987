"""Repeated failed logins slow down: per username and per address, for a window that ends.

The web login and the API's token endpoint both ask `refusal` before checking a password and
call `failure` after a wrong one. Counts live in the cache: they expire by themselves (nobody is
locked out for longer than WINDOW), and with the cache down they are not kept (logins are then
not limited; the cache logs the outage).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

WINDOW_SECONDS = 15 * 60
PER_USERNAME = 5
PER_ADDRESS = 30


def _keys(username: str, address: str) -> dict[str, tuple[str, int]]:
    name = hashlib.blake2b(username.strip().lower().encode(), digest_size=16).hexdigest()
    return {"account": (f"login-fail:user:{name}", PER_USERNAME),
            "address": (f"login-fail:ip:{address}", PER_ADDRESS)}  # fmt: skip


def refusal(*, username: str, address: str) -> str:
    """Why this attempt is refused before its password is checked, or '' if it may go on."""
    for what, (key, limit) in _keys(username, address).items():
        if (cache.get(key) or 0) >= limit:
            minutes = WINDOW_SECONDS // 60
            return (f"Too many failed logins for this {what}. Wait {minutes} minutes and try "
                    "again, or ask a project lead for a new set-password link.")  # fmt: skip
    return ""


def failure(*, username: str, address: str) -> None:
    """Count a wrong password against the username and the address."""
    for key, _limit in _keys(username, address).values():
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr: start again
                cache.add(key, 1, WINDOW_SECONDS)


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
