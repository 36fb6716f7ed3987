"""Export jobs: started by a lead, run by a worker, zipped into one file to download."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings

from annotation.export.report import DEFAULT_TEST_SHARE
from annotation.export.service import ExportError, export_dpo
from annotation.export.writers import FORMATS
from annotation.models import ExportJob, Project

DEFAULTS = {
    "fmt": "jsonl", "conversational": False, "include_model_labels": False,
    "min_agreement": 0.5, "test_share": DEFAULT_TEST_SHARE, "seed": 0,
    "license_name": "unspecified",
}  # fmt: skip


def export_params(raw: dict) -> dict:
    """Defaults filled in and every value checked; raises ExportError naming the field."""
    params = DEFAULTS | {k: v for k, v in raw.items() if v is not None and k in DEFAULTS}
    if params["fmt"] not in FORMATS:
        raise ExportError(f"format: choose one of {', '.join(FORMATS)}")
    for key, low, high in (("min_agreement", 0.0, 1.0), ("test_share", 0.0, 0.9)):
        try:
            params[key] = float(params[key])
        except (TypeError, ValueError):
            raise ExportError(f"{key}: {params[key]!r} is not a number") from None
        if not low <= params[key] <= high:
            raise ExportError(f"{key}: must be between {low} and {high}")
    params["seed"] = int(params["seed"])
    params["conversational"] = bool(params["conversational"])
    params["include_model_labels"] = bool(params["include_model_labels"])
    return params


def export_job_start(*, project: Project, user, params: dict) -> ExportJob:
    return ExportJob.start(project=project, created_by=user, params=export_params(params))


def export_job_run(*, job_id: int) -> ExportJob:
    return ExportJob.run(job_id, _export, fails_on=ExportError)


def _export(job: ExportJob) -> None:
    folder = Path(settings.MEDIA_ROOT) / "exports" / str(job.id)
    shutil.rmtree(folder, ignore_errors=True)  # a redelivered job starts clean
    writing = job.reporter("writing rows", 0.0, 0.95)  # the zip is the rest
    report = export_dpo(project=job.project, out_dir=folder / "data", progress=writing,
                        **job.params)  # fmt: skip
    job.report(0.95, "zipping")
    name = f"{job.project.slug}-dpo-{job.id}"
    archive = shutil.make_archive(str(folder / name), "zip", root_dir=folder / "data")
    shutil.rmtree(folder / "data")
    job.result, job.file_path = report.as_dict(), archive
