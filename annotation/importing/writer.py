"""Write validated records in chunks: a few queries per chunk, never one per row.

Existing rows (same prompt external id in the project, same response external id under the
prompt, same imported pair, a live imported label) are left as they are, so importing a file
twice changes nothing. A prompt id the project holds already under another text is refused
(its records are reported, not written): its answers were given to the text it has.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from annotation.importing.bulk import BulkInsert
from annotation.importing.formats import PairRecord, PromptRecord, ResponseRecord
from annotation.models import Label, LabelSource, Pair, Project, Prompt, Response
from annotation.queue import labels_import

PROMPTS_PER_CHUNK = 500
RESPONSES_PER_CHUNK = 5000
IMPORTED = "imported"
RESPONSE_COLUMNS = ["prompt_id", "external_id", "model_name", "text", "gold_score", "metadata"]
PAIR_COLUMNS = [
    "project_id", "prompt_id", "response_a_id", "response_b_id", "swapped", "external_id",
]  # fmt: skip
# Told of records the writer refused: (line, field, reason, how many records).
Refuse = Callable[[int, str, str, int], None]


@dataclass(slots=True)
class Counts:
    prompts_created: int = 0
    prompts_existing: int = 0
    responses_created: int = 0
    responses_existing: int = 0
    pairs_created: int = 0
    pairs_existing: int = 0
    labels_created: int = 0
    labels_existing: int = 0


class ChunkWriter:
    """Collects records and writes them when a chunk is full; call flush() at the end."""

    def __init__(self, project: Project, refuse: Refuse) -> None:
        self.project = project
        self.refuse = refuse
        self.prompt_rows = BulkInsert(Prompt, ["project_id", "external_id", "text", "metadata"])
        self.response_rows = BulkInsert(Response, RESPONSE_COLUMNS)
        self.pair_rows = BulkInsert(Pair, PAIR_COLUMNS, {"arm": IMPORTED, "strategy": IMPORTED})
        self.empty_metadata = BulkInsert.json({})
        self.counts = Counts()
        self.prompts: dict[str, PromptRecord] = {}
        # Records queued per prompt id in this chunk (flat and pairs files give several).
        self.records: Counter[str] = Counter()
        self.pairs: list[PairRecord] = []
        self.responses_pending = 0
        self.created_prompt_ids: set[int] = set()
        # Rows this import already counted (created, or found present): a response or pair
        # named by several records, or in several chunks, is counted once.
        self.counted: set[tuple] = set()

    def add(self, record: PromptRecord | PairRecord) -> bool:
        """Queue a record; returns True when that filled a chunk and it was written."""
        if isinstance(record, PairRecord):
            self.pairs.append(record)
            self._queue_prompt(record.prompt)
        else:
            self._queue_prompt(record)
        if len(self.prompts) >= PROMPTS_PER_CHUNK or self.responses_pending >= RESPONSES_PER_CHUNK:
            self.flush()
            return True
        return False

    def _queue_prompt(self, record: PromptRecord) -> None:
        self.records[record.external_id] += 1
        queued = self.prompts.get(record.external_id)
        if queued is None:
            self.prompts[record.external_id] = record
        elif queued is not record:
            queued.responses.extend(record.responses)
        self.responses_pending += len(record.responses)

    def flush(self) -> None:
        if not self.prompts:
            return
        prompt_ids, fresh = self._write_prompts()
        response_ids = self._write_responses(prompt_ids, fresh)
        if self.pairs:
            pair_ids = self._write_pairs(prompt_ids, response_ids)
            self._write_labels(prompt_ids, response_ids, pair_ids)
        self.prompts, self.pairs, self.responses_pending = {}, [], 0
        self.records.clear()

    def _write_prompts(self) -> tuple[dict[str, int], set[int]]:
        """Ids of the chunk's prompts, and which of them this chunk created."""
        existing = self._existing_prompts(list(self.prompts))
        self._refuse_changed(existing)
        wanted = list(self.prompts)
        found = {e: i for e, (i, _text) in existing.items() if e in self.prompts}
        # A prompt this import created, or one a flat or pairs file names again in a later
        # chunk, is not "already present" again.
        self.counts.prompts_existing += sum(
            i not in self.created_prompt_ids and self._first("prompt", i) for i in found.values()
        )
        missing = [self.prompts[e] for e in wanted if e not in found]
        if not missing:
            return found, set()
        self.prompt_rows.insert(
            (self.project.id, r.external_id, r.text, self._json(r.metadata)) for r in missing
        )
        created = self._prompt_ids([r.external_id for r in missing])
        self.counts.prompts_created += len(created)
        self.created_prompt_ids.update(created.values())
        return found | created, set(created.values())

    def _existing_prompts(self, external_ids: list[str]) -> dict[str, tuple[int, str]]:
        rows = Prompt.objects.filter(project=self.project, external_id__in=external_ids)
        return {e: (i, text) for e, i, text in rows.values_list("external_id", "id", "text")}

    def _refuse_changed(self, existing: dict[str, tuple[int, str]]) -> None:
        """Leave out the chunk's prompts whose id the project holds under another text."""
        for external_id, (_id, text) in existing.items():
            record = self.prompts[external_id]
            if record.text == text:
                continue
            reason = (
                f"prompt_id {external_id!r} is already in the project with another text; "
                "give a new prompt a new prompt_id"
            )
            self.refuse(record.line, "prompt", reason, self.records[external_id])
            del self.prompts[external_id]
            self.pairs = [p for p in self.pairs if p.prompt.external_id != external_id]

    def _prompt_ids(self, external_ids: list[str]) -> dict[str, int]:
        rows = Prompt.objects.filter(project=self.project, external_id__in=external_ids)
        return dict(rows.values_list("external_id", "id"))

    def _write_responses(
        self, prompt_ids: dict[str, int], fresh: set[int]
    ) -> dict[tuple[int, str], int] | None:
        """Create missing responses; for pairs, return (prompt id, external id) → response id."""
        # Prompts this chunk created have no responses yet: no need to look.
        known = [i for i in prompt_ids.values() if i not in fresh]
        existing = self._existing_responses(known)
        new: dict[tuple[int, str], Response] = {}
        for external_id, record in self.prompts.items():
            prompt_id = prompt_ids[external_id]
            for response in record.responses:
                key = (prompt_id, response.external_id)
                if key in existing:
                    self.counts.responses_existing += self._first("response", key)
                elif key not in new:
                    new[key] = self._response_row(prompt_id, response)
        self.response_rows.insert(new.values())
        self.counts.responses_created += len(new)
        self.counted.update(("response", key) for key in new)
        if not self.pairs:
            return None
        rows = Response.objects.filter(prompt_id__in=prompt_ids.values())
        return {(p, e): i for p, e, i in rows.values_list("prompt_id", "external_id", "id")}

    def _first(self, kind: str, key) -> bool:
        """Whether this import meets a row that was present before it for the first time."""
        if (kind, key) in self.counted:
            return False
        self.counted.add((kind, key))
        return True

    def _existing_responses(self, prompt_ids: list[int]) -> set[tuple[int, str]]:
        if not prompt_ids:
            return set()
        rows = Response.objects.filter(prompt_id__in=prompt_ids)
        return set(rows.values_list("prompt_id", "external_id"))

    def _json(self, value: dict) -> str:
        return BulkInsert.json(value) if value else self.empty_metadata

    def _response_row(self, prompt_id: int, r: ResponseRecord) -> tuple:
        metadata = self._json(r.metadata)
        return (prompt_id, r.external_id, r.model_name, r.text, r.gold_score, metadata)

    def _write_pairs(self, prompt_ids, response_ids) -> dict[tuple[int, int], int]:
        existing = self._pair_ids(prompt_ids)
        new: dict[tuple[int, int], tuple] = {}
        for record in self.pairs:
            prompt_id = prompt_ids[record.prompt.external_id]
            a, b = _couple(record, prompt_id, response_ids)
            if (a, b) in existing or (a, b) in new:
                self.counts.pairs_existing += (a, b) in existing and self._first("pair", (a, b))
                continue
            # Left/right is randomised per pair, as for selected pairs, to cancel position bias.
            swapped = bool(random.getrandbits(1))
            new[(a, b)] = (self.project.id, prompt_id, a, b, swapped, record.external_id or None)
        self.pair_rows.insert(new.values())
        self.counts.pairs_created += len(new)
        self.counted.update(("pair", key) for key in new)
        return self._pair_ids(prompt_ids) if new else existing

    def _pair_ids(self, prompt_ids: dict[str, int]) -> dict[tuple[int, int], int]:
        rows = Pair.objects.filter(
            project=self.project, arm=IMPORTED, prompt_id__in=prompt_ids.values()
        ).values_list("response_a_id", "response_b_id", "id")
        return {(a, b): i for a, b, i in rows}

    def _write_labels(self, prompt_ids, response_ids, pair_ids) -> None:
        labelled = set(
            Label.objects.filter(
                pair_id__in=pair_ids.values(), source=LabelSource.IMPORTED, superseded_at=None
            ).values_list("pair_id", flat=True)
        )
        new: list[tuple[int, str]] = []
        for record in self.pairs:
            prompt_id = prompt_ids[record.prompt.external_id]
            a, b = _couple(record, prompt_id, response_ids)
            pair_id = pair_ids[(a, b)]
            if pair_id in labelled:
                self.counts.labels_existing += self._first("label", pair_id)
                continue
            labelled.add(pair_id)
            self.counted.add(("label", pair_id))
            chosen = response_ids[(prompt_id, record.chosen.external_id)]
            choice = "a" if chosen == a else "b"
            new.append((pair_id, choice))
        labels_import(project=self.project, labels=new)
        self.counts.labels_created += len(new)


def _couple(record: PairRecord, prompt_id: int, response_ids) -> tuple[int, int]:
    chosen = response_ids[(prompt_id, record.chosen.external_id)]
    rejected = response_ids[(prompt_id, record.rejected.external_id)]
    return (chosen, rejected) if chosen < rejected else (rejected, chosen)
