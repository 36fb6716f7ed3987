"""Bulk data for bench/serve.py: a project with N open pairs and annotator sessions (PostgreSQL)."""

from __future__ import annotations

import secrets
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import connection

from annotation.models import Membership, Project, Role

# bench/serve.py owns its database: start every size from empty tables.
RESET_SQL = "TRUNCATE annotation_project, django_session RESTART IDENTITY CASCADE"

ANALYZE = (
    "ANALYZE annotation_pair",
    "ANALYZE annotation_assignment",
    "ANALYZE annotation_label",
)

# One statement each: PostgreSQL's server-side binding takes one command per execute. They add
# `count` prompts after the project's first `start`, each with two responses and one open pair.
ADD_STATEMENTS = (
    """
INSERT INTO annotation_prompt (project_id, external_id, text, metadata, created_at)
SELECT %(project)s, 'p' || g, 'Benchmark prompt ' || g || ': explain something useful.', '{}', now()
FROM generate_series(%(start)s + 1, %(start)s + %(count)s) g""",
    """
INSERT INTO annotation_response (prompt_id, external_id, model_name, text, metadata, created_at)
SELECT p.id, m.name, m.name, 'Answer from ' || m.name || ' to prompt ' || p.external_id
       || E'.\n\n- a point\n- another point\n\n```python\nprint(1)\n```', '{}', now()
FROM annotation_prompt p CROSS JOIN (VALUES ('model-a'), ('model-b')) AS m(name)
WHERE p.project_id = %(project)s AND p.id > %(after)s""",
    """
INSERT INTO annotation_pair (project_id, prompt_id, response_a_id, response_b_id, arm, strategy,
                             priority, swapped, status, is_gold, gold_choice, created_at)
SELECT %(project)s, r.prompt_id, min(r.id), max(r.id), 'random', 'random', random(),
       random() < 0.5, 'open', false, '', now()
FROM annotation_response r JOIN annotation_prompt p ON p.id = r.prompt_id
WHERE p.project_id = %(project)s AND p.id > %(after)s GROUP BY r.prompt_id""",
)

# The open pairs, the prompts and the last prompt's id: what a top-up starts from.
QUEUE_SQL = """
SELECT (SELECT count(*) FROM annotation_pair WHERE project_id = pr.id AND status = 'open'),
       (SELECT count(*) FROM annotation_prompt WHERE project_id = pr.id),
       (SELECT coalesce(max(id), 0) FROM annotation_prompt)
FROM annotation_project pr WHERE pr.id = %s
"""

DOUBLES_SQL = """
SELECT count(*) FROM (
  SELECT a.pair_id FROM annotation_assignment a JOIN annotation_pair p ON p.id = a.pair_id
  JOIN annotation_project pr ON pr.id = p.project_id
  WHERE pr.slug = %s AND a.state IN ('active', 'submitted')
  GROUP BY a.pair_id, pr.overlap HAVING count(*) > pr.overlap
) AS over_assigned
"""


def make_queue(
    *, slug: str, pairs: int, annotators: int, overlap: int = 1
) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(RESET_SQL)
    project = Project.objects.create(name="Bench", slug=slug, overlap=overlap)
    top_up(slug=slug, pairs=pairs)
    refresh_statistics()
    return [_session(project, f"bench-annotator-{i}") for i in range(annotators)]


def top_up(*, slug: str, pairs: int) -> int:
    """Add open pairs until the project holds `pairs` of them (every row starts at the queue size
    it is printed under, however many the rows before it labelled); the count added."""
    project = Project.objects.get(slug=slug)
    with connection.cursor() as cursor:
        cursor.execute(QUEUE_SQL, [project.id])
        open_pairs, prompts, after = cursor.fetchone()
        count = max(0, pairs - open_pairs)
        if count:
            params = {"project": project.id, "start": prompts, "count": count, "after": after}
            for statement in ADD_STATEMENTS:
                cursor.execute(statement, params)
    return count


def _session(project: Project, username: str) -> tuple[str, str]:
    user, _ = get_user_model().objects.get_or_create(username=username)
    Membership.objects.get_or_create(project=project, user=user, defaults={"role": Role.ANNOTATOR})
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key, secrets.token_hex(16)


def refresh_statistics() -> None:
    """What autovacuum does on a production server between rows (this machine's has it off):
    the planner then sees the labels and leases the previous rows left, not empty tables."""
    with connection.cursor() as cursor:
        for statement in ANALYZE:
            cursor.execute(statement)


def count_double_assignments(slug: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(DOUBLES_SQL, [slug])
        return cursor.fetchone()[0]
