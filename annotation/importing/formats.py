"""The three import formats: validate each raw record and normalise it into plain records.

- grouped: {"prompt_id", "prompt", "responses": [{"model", "text", "gold_preference"?}, ...]}
- pairs:   {"prompt", "chosen", "rejected"} (TRL / HH-RLHF style; text or lists of messages)
- flat:    rows of prompt_id, prompt, model, response[, gold_score]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotation.importing import fields as f
from annotation.importing.conversation import messages_as_prompt, messages_as_response
from annotation.importing.errors import FileError, RecordError

FORMAT_NAMES = ("grouped", "pairs", "flat")
GROUPED_KEYS = {"prompt_id", "prompt", "responses"}
RESPONSE_KEYS = {"model", "text", "gold_preference"}
PAIRS_KEYS = {
    "prompt_id", "prompt", "chosen", "rejected", "chosen_model", "rejected_model", "pair_id",
}  # fmt: skip
PAIR_SCORE_KEYS = {"score_chosen", "score_rejected"}
FLAT_KEYS = {"prompt_id", "prompt", "model", "response", "gold_score"}
FLAT_REQUIRED = ("prompt_id", "prompt", "model", "response")
PAIRS_REQUIRED = ("prompt", "chosen", "rejected")


@dataclass(slots=True)
class ResponseRecord:
    external_id: str
    model_name: str
    text: str
    gold_score: float | None = None
    metadata: dict = field(default_factory=dict)


@dataclass(slots=True)
class PromptRecord:
    line: int
    external_id: str
    text: str
    metadata: dict
    responses: list[ResponseRecord]


@dataclass(slots=True)
class PairRecord:
    """A prompt with two responses and which one people preferred."""

    prompt: PromptRecord
    chosen: ResponseRecord
    rejected: ResponseRecord
    external_id: str = ""  # the file's own `pair_id`, kept through export


class GroupedFormat:
    name = "grouped"
    required_columns: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def parse(self, data: dict, line: int) -> PromptRecord:
        external_id = f.identifier(f.require(data, "prompt_id"), "prompt_id")
        text = f.text_not_empty(f.require(data, "prompt"), "prompt")
        items = f.require(data, "responses")
        if not isinstance(items, list):
            raise RecordError("responses", f"expected a list, got {f.describe(items)}")
        if not items:
            raise RecordError("responses", "empty: a prompt needs responses to compare")
        responses = _grouped_responses(items)
        _check_new(self.seen, external_id, line, "prompt_id")
        metadata = {k: v for k, v in data.items() if k not in GROUPED_KEYS}
        f.storable(metadata)
        return PromptRecord(line, external_id, text, metadata, responses)


def _grouped_responses(items: list) -> list[ResponseRecord]:
    responses: list[ResponseRecord] = []
    positions: dict[str, int] = {}
    for i, item in enumerate(items):
        where = f"responses[{i}]"
        if not isinstance(item, dict):
            raise RecordError(where, f"expected an object, got {f.describe(item)}")
        model = f.model_name(f.require(item, "model", f"{where}.model"), f"{where}.model")
        text = f.string(f.require(item, "text", f"{where}.text"), f"{where}.text")
        gold = f.optional_number(item.get("gold_preference"), f"{where}.gold_preference")
        if model in positions:
            reason = f"duplicate model {model!r}: also responses[{positions[model]}]"
            raise RecordError(f"{where}.model", reason)
        positions[model] = i
        extra = {k: v for k, v in item.items() if k not in RESPONSE_KEYS}
        f.storable(extra, where)
        responses.append(ResponseRecord(model, model, text, gold, extra))
    return responses


class FlatFormat:
    """One response per row; rows of one prompt need not be next to each other."""

    name = "flat"
    required_columns = FLAT_REQUIRED

    def __init__(self) -> None:
        self.prompt_texts: dict[str, tuple[int, int]] = {}
        self.seen: dict[tuple[str, str], int] = {}

    def parse(self, data: dict, line: int) -> PromptRecord:
        external_id = f.identifier(f.require(data, "prompt_id"), "prompt_id")
        text = f.text_not_empty(f.require(data, "prompt"), "prompt")
        model = f.model_name(f.require(data, "model"), "model")
        response = f.string(f.require(data, "response"), "response")
        gold = f.optional_number(data.get("gold_score"), "gold_score")
        _check_same_text(self.prompt_texts, external_id, text, line)
        _check_new(self.seen, (external_id, model), line, "model", f"{model!r} for this prompt_id")
        extra = {k: v for k, v in data.items() if k not in FLAT_KEYS}
        f.storable(extra)
        record = ResponseRecord(model, model, response, gold, extra)
        return PromptRecord(line, external_id, text, {}, [record])


class PairsFormat:
    name = "pairs"
    required_columns = PAIRS_REQUIRED

    def __init__(self) -> None:
        self.prompt_texts: dict[str, tuple[int, int]] = {}
        self.seen: dict[tuple[str, str, str], int] = {}
        self.pair_ids: dict[str, int] = {}

    def parse(self, data: dict, line: int) -> PairRecord:
        text, prompt_meta = _pair_prompt(f.require(data, "prompt"))
        chosen = _pair_response(data, "chosen")
        rejected = _pair_response(data, "rejected")
        if chosen.external_id == rejected.external_id:
            raise RecordError("rejected", "the same text as 'chosen'; a pair needs two responses")
        if data.get("prompt_id") not in (None, ""):
            external_id = f.identifier(data["prompt_id"], "prompt_id")
            _check_same_text(self.prompt_texts, external_id, text, line)
        else:
            external_id = f.text_hash(text)
        low, high = sorted((chosen.external_id, rejected.external_id))
        _check_new(self.seen, (external_id, low, high), line, "chosen", "this pair of responses")
        pair_id = ""
        if data.get("pair_id") not in (None, ""):
            pair_id = f.identifier(data["pair_id"], "pair_id")
            _check_new(self.pair_ids, pair_id, line, "pair_id")
        extra = {k: v for k, v in data.items() if k not in PAIRS_KEYS | PAIR_SCORE_KEYS}
        f.storable(extra)
        prompt = PromptRecord(line, external_id, text, {**prompt_meta, **extra}, [chosen, rejected])
        return PairRecord(prompt, chosen, rejected, pair_id)


def _pair_prompt(value: object) -> tuple[str, dict]:
    if isinstance(value, list):
        text, messages = messages_as_prompt(value, "prompt")
        return text, {"messages": messages}
    return f.text_not_empty(value, "prompt"), {}


def _pair_response(data: dict, key: str) -> ResponseRecord:
    value = f.require(data, key)
    text = messages_as_response(value, key) if isinstance(value, list) else f.string(value, key)
    model = data.get(f"{key}_model")
    name = "" if model in (None, "") else f.model_name(model, f"{key}_model")
    gold = f.optional_number(data.get(f"score_{key}"), f"score_{key}")
    return ResponseRecord(f.text_hash(text), name, text, gold)


def _check_new(seen: dict, key, line: int, field: str, what: str | None = None) -> None:
    first = seen.setdefault(key, line)
    if first != line:
        shown = what or f"id {key!r}"
        raise RecordError(field, f"duplicate {shown}: also on line {first}")


def _check_same_text(texts: dict, external_id: str, text: str, line: int) -> None:
    first_line, digest = texts.setdefault(external_id, (line, hash(text)))
    if digest != hash(text):
        reason = f"prompt_id {external_id!r} has a different prompt on line {first_line}"
        raise RecordError("prompt", reason)


FORMATS = {"grouped": GroupedFormat, "flat": FlatFormat, "pairs": PairsFormat}


def detect_format(requested: str, source_kind: str, first: dict | None, columns) -> str:
    """The format to use: the one asked for, or guessed from the first record's keys."""
    if requested not in ("auto", *FORMAT_NAMES):
        raise FileError(f"unknown format {requested!r}: use auto, {', '.join(FORMAT_NAMES)}")
    if requested == "grouped" and source_kind != "jsonl":
        raise FileError(f"the grouped format needs a .jsonl file, not {source_kind}")
    if requested != "auto":
        return requested
    keys = set(columns or first or ())
    if "responses" in keys:
        return "grouped"
    if {"chosen", "rejected"} <= keys:
        return "pairs"
    if {"model", "response"} <= keys:
        return "flat"
    shown = ", ".join(sorted(keys)) or "none"
    raise FileError(
        f"unknown format: cannot tell it from the first record's keys ({shown}); "
        "expected 'responses' (grouped), 'chosen' + 'rejected' (pairs) "
        "or 'model' + 'response' (flat)"
    )
