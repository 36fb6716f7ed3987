"""The queue's lease and answer as PostgreSQL functions: one round trip each instead of six.

The functions run the same statements as annotation/queue.py runs one by one (they are built
from the constants in annotation/queue_sql.py), in the same order, so a lease and an answer
behave alike on both paths: the row locks are taken first, and every count after a lock reads
a fresh snapshot (PL/pgSQL takes one per statement under READ COMMITTED).

They are temporary functions (`pg_temp`), created on each new connection by the database
backend (config/postgres): the definition in the database is always the code's own, and no
migration has to follow every change to a statement. They need a session of their own, so
they are off with DATABASE_PREPARED_STATEMENTS=0 (a pooler in transaction mode).
"""

from __future__ import annotations

from annotation import queue_sql
from annotation.sql import run

# Each statement's parameters, named as the function's arguments and variables.
_NAMES = {
    "project": "p_project",
    "annotator": "p_annotator",
    "gold": "v_gold",
    "overlap": "p_overlap",
    "now": "p_now",
    "expires": "p_expires",
    "lease": "p_lease",
    "pair": "v_pair",
    "state": "v_state",
}


def _sql(template: str, parts: dict[str, str] | None = None, **names: str) -> str:
    """A statement of queue_sql with plpgsql variables where its parameters were (`names`
    overrides the usual variable for a parameter; `parts` fills the template's slots)."""
    return (template.format(**parts) if parts else template) % dict(_NAMES, **names)


_SKIP_SEEN = "AND p.id <> ALL(v_seen)"
_CANDIDATES = _sql(
    queue_sql.CANDIDATES,
    {"exclude": _SKIP_SEEN, "lock": "FOR UPDATE OF p SKIP LOCKED"},
    limit=str(queue_sql.BATCH),
)
_ANY_CANDIDATE = _sql(queue_sql.CANDIDATES, {"exclude": _SKIP_SEEN, "lock": ""}, limit="1")
# Every statement in the functions keeps the plan it was first given for this session. Left to
# choose, PostgreSQL plans the candidate and lease statements anew on every call (the plan for
# known values always looks cheaper), which cost more than running them: about a millisecond
# per lease. Every statement here is a lookup by key, so no table is read whole where an index
# serves it (that also holds while the statistics still describe empty tables). New statistics
# (ANALYZE) make the session plan them again.
_PLANS = "SET plan_cache_mode = force_generic_plan SET enable_seqscan = off"

LEASE = f"""
CREATE OR REPLACE FUNCTION pg_temp.pairsmith_lease(
    p_project bigint, p_annotator bigint, p_gold_order boolean[], p_overlap integer,
    p_now timestamptz, p_expires timestamptz, p_waits integer, p_wait_seconds double precision)
RETURNS TABLE (o_lease bigint, o_pair bigint, o_leased_at timestamptz, o_expires_at timestamptz)
-- At most one row: the planner joins the pair to it by index, not by scanning every pair.
ROWS 1 {_PLANS} LANGUAGE plpgsql AS $fn$
DECLARE
    v_gold boolean;
    v_seen bigint[];
    v_ids bigint[];
    v_waits integer;
    v_lease bigint; v_pair bigint; v_leased_at timestamptz; v_expires_at timestamptz;
BEGIN
    {_sql(queue_sql.LIVE_LEASE)} INTO v_lease, v_pair, v_leased_at, v_expires_at;
    IF FOUND THEN
        IF v_expires_at > p_now THEN
            RETURN QUERY SELECT v_lease, v_pair, v_leased_at, v_expires_at;
            RETURN;
        END IF;
        -- It ran out: expired, so that a new lease may take its place.
        {_sql(queue_sql.EXPIRE_LEASE, lease="v_lease")};
    END IF;
    FOREACH v_gold IN ARRAY p_gold_order LOOP
        v_seen := '{{}}';
        v_waits := 0;
        LOOP
            SELECT array_agg(c.id) INTO v_ids FROM ({_CANDIDATES}) c;
            IF v_ids IS NULL THEN
                -- Rows other leases are checking right now were skipped, not refused.
                EXIT WHEN v_waits >= p_waits OR NOT EXISTS ({_ANY_CANDIDATE});
                v_waits := v_waits + 1;
                PERFORM pg_sleep(p_wait_seconds);
                CONTINUE;
            END IF;
            RETURN QUERY WITH claimed AS (
                {_sql(queue_sql.LEASE_FIRST_WITH_ROOM, {"ids": "SELECT unnest(v_ids)"})}
            ) SELECT claimed.id, claimed.pair_id, p_now, p_expires FROM claimed;
            IF FOUND THEN
                RETURN;
            END IF;
            -- Another call of this annotator's leased first (it is theirs now), or every
            -- locked candidate filled up meanwhile (look further down the queue).
            RETURN QUERY {_sql(queue_sql.LIVE_LEASE)};
            IF FOUND THEN
                RETURN;
            END IF;
            v_seen := v_seen || v_ids;
        END LOOP;
    END LOOP;
END
$fn$
"""  # noqa: S608 (built from constants; every value is an argument)

_INSERT_LABEL = """
INSERT INTO annotation_label (pair_id, annotator_id, assignment_id, judge, choice, strength,
    rationale, active_seconds, server_seconds, source, confidence, smoothing, supersedes_id,
    superseded_at, created_at)
VALUES (v_pair, p_annotator, p_lease, '', v_choice, p_strength, p_rationale, p_active_seconds,
    extract(epoch FROM p_now - v_leased_at), 'human', NULL, 0, v_undone, NULL, p_created)
RETURNING id INTO v_label
"""

# Outcomes: saved, duplicate, missing (not this annotator's lease, or another project's),
# released (a lead released it) and taken (it ran out and someone else has the pair now).
SUBMIT = f"""
CREATE OR REPLACE FUNCTION pg_temp.pairsmith_submit(
    p_lease bigint, p_annotator bigint, p_project bigint, p_choice text, p_swap boolean,
    p_strength integer, p_rationale text, p_active_seconds double precision,
    p_now timestamptz, p_created timestamptz)
RETURNS TABLE (o_outcome text, o_label bigint, o_pair bigint, o_choice text,
               o_server_seconds double precision, o_supersedes bigint)
ROWS 1 {_PLANS} LANGUAGE plpgsql AS $fn$
DECLARE
    v_state text; v_leased_at timestamptz; v_expires_at timestamptz; v_pair bigint;
    v_project bigint; v_swapped boolean; v_gold boolean; v_overlap integer; v_undone bigint;
    v_choice text := p_choice;
    v_label bigint;
    v_refusal text := '';
BEGIN
    {_sql(queue_sql.LOCK_LEASE, {"lock": "FOR UPDATE OF a, p"})}
    INTO v_state, v_leased_at, v_expires_at, v_pair, v_project, v_swapped, v_gold, v_overlap,
         v_undone;
    IF NOT FOUND OR (v_state <> 'submitted' AND p_project IS NOT NULL
                     AND v_project <> p_project) THEN
        RETURN QUERY SELECT 'missing'::text, NULL::bigint, v_pair, NULL::text, NULL::float8,
                            NULL::bigint;
        RETURN;
    END IF;
    IF v_state = 'submitted' THEN
        RETURN QUERY SELECT 'duplicate'::text, l.id, l.pair_id, l.choice::text, l.server_seconds,
                            l.supersedes_id
            FROM annotation_label l WHERE l.assignment_id = p_lease ORDER BY l.id LIMIT 1;
        RETURN;
    END IF;
    IF p_swap AND v_swapped THEN
        v_choice := CASE p_choice WHEN 'a' THEN 'b' WHEN 'b' THEN 'a' ELSE p_choice END;
    END IF;
    IF NOT (v_state = 'active' AND v_expires_at > p_now) THEN
        IF v_state NOT IN ('active', 'expired') THEN
            v_refusal := 'released';
        ELSIF EXISTS (SELECT 1 FROM annotation_assignment a
                      WHERE a.pair_id = v_pair AND a.leased_at > v_leased_at
                        AND a.annotator_id <> p_annotator)
              OR ((({_sql(queue_sql.PAIR_LOAD)}) >= v_overlap) AND NOT v_gold) THEN
            v_refusal := 'taken';
        END IF;
    END IF;
    IF v_refusal <> '' THEN
        UPDATE annotation_assignment SET state = 'expired' WHERE id = p_lease;
        RETURN QUERY SELECT v_refusal, NULL::bigint, v_pair, NULL::text, NULL::float8,
                            NULL::bigint;
        RETURN;
    END IF;
    {_INSERT_LABEL};
    UPDATE annotation_assignment SET state = 'submitted' WHERE id = p_lease;
    {_sql(queue_sql.REFRESH_STATUS, overlap="v_overlap")};
    RETURN QUERY SELECT 'saved'::text, v_label, v_pair, v_choice,
                        extract(epoch FROM p_now - v_leased_at)::float8, v_undone;
END
$fn$
"""  # noqa: S608 (built from constants; every value is an argument)

FUNCTIONS = (LEASE, SUBMIT)
FUNCTION_NAMES = ("pairsmith_lease", "pairsmith_submit")
LEASE_ARGS = """%(project)s, %(annotator)s, %(gold_order)s, %(overlap)s, %(now)s, %(expires)s,
    %(waits)s, %(wait_seconds)s"""
LEASE_CALL = f"SELECT * FROM pg_temp.pairsmith_lease({LEASE_ARGS})"  # noqa: S608 (constants)
SUBMIT_ARGS = """%(lease)s, %(annotator)s, %(project)s, %(choice)s, %(swap)s, %(strength)s,
    %(rationale)s, %(active_seconds)s, %(now)s, %(created)s"""
SUBMIT_CALL = f"SELECT * FROM pg_temp.pairsmith_submit({SUBMIT_ARGS})"  # noqa: S608 (constants)


def install(cursor) -> None:
    """Create the functions in this session (a database cursor of a new connection)."""
    for statement in FUNCTIONS:
        cursor.execute(statement)


def lease(params: dict) -> tuple | None:
    """(lease id, pair id, leased at, expires at) of the live or new lease; None if none.
    `params` are LEASE_ARGS's (annotation.queue.lease_params)."""
    rows = run(LEASE_CALL, params)
    return rows[0] if rows else None


def submit(params: dict) -> tuple:
    """(outcome, label id, pair id, choice as stored, server seconds, superseded label id).
    `params` are SUBMIT_ARGS's (annotation.queue.submit_params)."""
    return run(SUBMIT_CALL, params)[0]
