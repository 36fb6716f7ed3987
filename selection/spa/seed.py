"""What a judge learns from: the pairs people decided, and the labels of earlier rounds."""

from __future__ import annotations

from annotation.export.aggregate import Policy, Vote, decide
from annotation.models import Label, LabelSource, Pair, Project


def human_seed(project: Project) -> list[tuple[int, int]]:
    """(winner, loser) response ids of pairs people decided (adjudication wins, then the
    majority; ties, both-bad and skips decide nothing)."""
    votes: dict[tuple, list[Vote]] = {}
    people = (LabelSource.HUMAN, LabelSource.ADJUDICATED)
    rows = (
        Label.objects.live()
        .filter(pair__project=project, source__in=people)
        .values_list("pair__response_a_id", "pair__response_b_id", "source", "choice")
    )
    for a, b, source, choice in rows:
        votes.setdefault((a, b), []).append(Vote(source, choice))
    seed = []
    for (a, b), v in votes.items():
        winner = decide(v, Policy()).winner
        if winner:
            seed.append((a, b) if winner == "a" else (b, a))
    return seed


def training_rows(project: Project, before_round: int) -> list[dict]:
    """Preference rows the policy learns from: people's decisions, and earlier rounds' labels."""
    votes: dict[int, list[Vote]] = {}
    earlier = [f"spa-round-{n}" for n in range(1, before_round)]
    labels = Label.objects.live().filter(pair__project=project)
    for pair_id, source, choice, judge in labels.values_list("pair_id", "source", "choice",
                                                             "judge"):  # fmt: skip
        if source != LabelSource.MODEL or judge in earlier:
            votes.setdefault(pair_id, []).append(Vote(source, choice))
    texts = Pair.objects.filter(id__in=list(votes)).values_list(
        "id", "prompt__text", "response_a__text", "response_b__text"
    )
    rows = []
    for pair_id, prompt, a, b in texts:
        decision = decide(votes[pair_id], Policy(include_model_labels=True))
        if decision.winner:
            chosen, rejected = (a, b) if decision.winner == "a" else (b, a)
            rows.append({"prompt": prompt, "chosen": chosen, "rejected": rejected})
    return rows
