"""import_file: stream a file into a project, all or nothing unless asked to skip bad records."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import transaction

from annotation.importing.errors import FileError, ImportIssue, RecordError
from annotation.importing.formats import FORMATS, detect_format
from annotation.importing.readers import RawRecord, Source, open_source
from annotation.importing.report import ImportReport
from annotation.importing.writer import ChunkWriter
from annotation.models import Project

Progress = Callable[[int, int], None]
# Auto-detection looks this far for a first well-formed record.
DETECT_WITHIN = 100


def import_file(
    *,
    project: Project,
    path: str | Path,
    file_format: str = "auto",
    skip_invalid: bool = False,
    progress: Progress | None = None,
    display_name: str | None = None,
) -> ImportReport:
    """Import prompts, responses (and for pairs: pairs and imported labels) from one file.

    Without skip_invalid, any bad record refuses the whole file: every record is still read so
    that all problems are reported at once, and nothing is written. Rows already present are
    left unchanged, so importing the same file twice changes nothing.
    """
    path = Path(path)
    report = ImportReport(file=display_name or path.name, skip_invalid=skip_invalid)
    started = time.perf_counter()
    try:
        source = open_source(path, report.file)
        with transaction.atomic():
            _run(project, source, file_format, report, progress)
            if report.refused:
                transaction.set_rollback(True)
    except FileError as exc:
        report.add_issue(ImportIssue(report.file, None, None, str(exc)))
        report.refused = True
    if report.refused:
        report.records_kept = 0
        report.counts = type(report.counts)()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _run(project, source: Source, requested: str, report: ImportReport, progress) -> None:
    records = source.records()
    head = _head(records)
    first = next((r.data for r in head if r.data is not None), None)
    if not head and source.columns is None:
        raise FileError("the file holds no records")
    if first is None and source.columns is None and requested == "auto":
        # Nothing well-formed to tell the format from: report what is wrong with each line.
        for raw in itertools.chain(head, records):
            report.records_read += 1
            _validate(raw, None, report)
        report.refused = True
        return
    report.file_format = detect_format(requested, source.kind, first, source.columns)
    validator = FORMATS[report.file_format]()
    if _columns_missing(source, validator.required_columns, report):
        return
    _write_all(project, source, itertools.chain(head, records), validator, report, progress)


def _write_all(project, source, records, validator, report: ImportReport, progress) -> None:
    writer = ChunkWriter(project, refuse=report.refuse_records)
    for raw in records:
        report.records_read += 1
        record = _validate(raw, validator, report)
        if record is None or (report.issue_count and not report.skip_invalid):
            continue
        report.records_kept += 1
        if writer.add(record) and progress:
            progress(source.bytes_done, source.bytes_total)
    if report.records_read == 0:
        raise FileError("the file holds no records")
    if not _refused(report):
        writer.flush()  # which may refuse records too
    report.refused = _refused(report)
    if not report.refused:
        report.counts = writer.counts
    if progress:
        progress(source.bytes_total, source.bytes_total)


def _refused(report: ImportReport) -> bool:
    return report.records_kept == 0 or bool(report.issue_count and not report.skip_invalid)


def _head(records: Iterator[RawRecord]) -> list[RawRecord]:
    """The records up to the first well-formed one, for format detection."""
    head: list[RawRecord] = []
    for raw in records:
        head.append(raw)
        if raw.data is not None or len(head) >= DETECT_WITHIN:
            break
    return head


def _columns_missing(source: Source, required: tuple[str, ...], report: ImportReport) -> bool:
    missing = [c for c in required if c not in (source.columns or required)]
    if not missing:
        return False
    line = 1 if source.kind == "csv" else None
    reason = f"missing column (the columns are: {', '.join(source.columns or [])})"
    report.add_issue(ImportIssue(report.file, line, missing[0], reason))
    report.refused = True
    return True


def _validate(raw: RawRecord, validator, report: ImportReport):
    error = raw.error
    if error is None and validator is not None:
        try:
            return validator.parse(raw.data, raw.line)
        except RecordError as exc:
            error = exc
    if error is None:
        return None
    report.add_issue(ImportIssue(report.file, raw.line, error.field, error.reason))
    return None
