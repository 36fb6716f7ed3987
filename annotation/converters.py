"""URL converters: `<id:pk>` is an `<int:pk>` that only matches numbers a database id can hold."""

from __future__ import annotations

from django.urls import register_converter
from django.urls.converters import IntConverter

# Ids are signed 64-bit integers in every supported database.
MAX_ID = 2**63 - 1


class IdConverter(IntConverter):
    # 18 digits always fit below MAX_ID; a longer number is no id of ours (404).
    regex = "[0-9]{1,18}"


register_converter(IdConverter, "id")
