from __future__ import annotations


class SpaError(ValueError):
    """A round cannot run, for a reason a lead can act on."""
