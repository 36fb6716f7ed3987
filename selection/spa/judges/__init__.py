"""Judges for SPA: a policy/reference LM pair scoring responses by DPO's implicit reward, and a
fast Bradley–Terry-on-embeddings judge. The maths here never touches the ORM."""
