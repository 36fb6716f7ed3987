"""The annotation queue: the one place that writes leases, labels and a pair's status.

Views, the API, SPA rounds, adjudication and imports all call these functions; nothing else
creates a label or a lease, or moves a pair between open and complete.
"""

from annotation.queue.answer import (
    NOT_LEASED,
    REFUSALS,
    Answer,
    SubmitResult,
    answer_and_lease,
    answer_submit,
    label_submit,
)
from annotation.queue.lead import label_adjudicate
from annotation.queue.lease import assignment_lease, assignment_release, leases_release
from annotation.queue.machine import (
    ModelAnswer,
    labels_import,
    model_labels_apply,
    model_labels_revert,
)
from annotation.queue.undo import (
    UNDO_WINDOW,
    UNDONE_PAIR_BACK,
    UNDONE_PAIR_FULL,
    Undone,
    label_undo,
)

__all__ = [
    "NOT_LEASED",
    "REFUSALS",
    "UNDONE_PAIR_BACK",
    "UNDONE_PAIR_FULL",
    "UNDO_WINDOW",
    "Answer",
    "ModelAnswer",
    "SubmitResult",
    "Undone",
    "answer_and_lease",
    "answer_submit",
    "assignment_lease",
    "assignment_release",
    "label_adjudicate",
    "label_submit",
    "label_undo",
    "labels_import",
    "leases_release",
    "model_labels_apply",
    "model_labels_revert",
]
