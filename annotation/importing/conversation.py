"""The conversational form of preference data: lists of {"role", "content"} messages."""

from __future__ import annotations

from annotation.importing.errors import RecordError, describe
from annotation.importing.fields import string


def _messages(value: list, field: str) -> list[dict]:
    if not value:
        raise RecordError(field, "empty list of messages")
    checked = []
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(item, dict):
            raise RecordError(where, f"expected a message object, got {describe(item)}")
        for key in ("role", "content"):
            string(item.get(key), f"{where}.{key}")
        checked.append({"role": item["role"], "content": item["content"]})
    return checked


def messages_as_prompt(value: list, field: str) -> tuple[str, list[dict]]:
    """Prompt text shown to annotators: the user's message, or the whole turn history."""
    messages = _messages(value, field)
    if len(messages) == 1:
        text = messages[0]["content"]
    else:
        text = "\n\n".join(f"{m['role']}: {m['content']}" for m in messages)
    if not text.strip():
        raise RecordError(field, "empty")
    return text, messages


def messages_as_response(value: list, field: str) -> str:
    messages = _messages(value, field)
    for i, message in enumerate(messages):
        if message["role"] != "assistant":
            reason = (
                f"expected assistant turns only, got role {message['role']!r}; "
                "give the shared turns as 'prompt'"
            )
            raise RecordError(f"{field}[{i}].role", reason)
    return "\n\n".join(m["content"] for m in messages)
