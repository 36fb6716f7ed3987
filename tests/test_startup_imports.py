"""The web tier starts without the ML stack: torch, transformers and TRL load only in the tasks
and commands that use a model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
import config.urls  # every view module, the API and the SPA dashboard
print(",".join(m for m in ("torch", "transformers", "trl", "datasets") if m in sys.modules))
"""


def test_loading_every_url_imports_no_model_library():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert out.stdout.strip() == ""


WSGI_PROBE = """
import sys
import config.wsgi
print(",".join(m for m in ("config.urls", "annotation.views.annotate") if m in sys.modules))
"""


def test_a_web_worker_imports_every_view_before_its_first_request():
    out = subprocess.run([sys.executable, "-c", WSGI_PROBE], cwd=ROOT, capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert out.stdout.strip() == "config.urls,annotation.views.annotate"
