"""What every background job shares (imports, exports, selection runs, effort runs, SPA rounds):
a status a worker claims with one conditional UPDATE, a heartbeat while it works, progress for
the page that polls it, and an end.

A job runs at most once at a time. A worker claims a pending job, or a running job whose
heartbeat stopped (its worker died): Celery hands an unacknowledged task to a second worker
after the broker's visibility timeout, and that second worker finds the job still claimed and
beating, and leaves it alone. A lead sees a job whose heartbeat stopped, and can resume it.

A flow supplies only its work: `start()` creates a job and sends it to its task, `run()` claims
it, beats while the work runs, and finishes it; `report()` tells the page how far it got.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import ClassVar, Self

from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string


def heartbeat_seconds() -> float:
    return settings.JOB_HEARTBEAT_SECONDS


def stale_after() -> timedelta:
    """A running job whose heartbeat is older than this lost its worker."""
    return timedelta(seconds=5 * heartbeat_seconds())


# Errors a task retries after: the job goes back to pending so that the retry can claim it.
TRANSIENT = (OperationalError, ConnectionError)


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    Status = JobStatus

    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.FloatField(default=0.0)
    stage = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # The job's own fields that its work fills in (results, counts): saved with its end.
    RESULT_FIELDS: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @classmethod
    def start(cls, **fields: object) -> Self:
        """A new job, sent to a worker once the transaction that creates it commits."""
        with transaction.atomic():
            job = cls.objects.create(**fields)
            job.send()
        return job

    def send(self) -> None:
        """Send the job to its kind's task (KINDS) once the current transaction commits."""
        task = next(task for model, task in KINDS.values() if model == self._meta.label)
        import_string(task).delay_on_commit(self.id)

    @classmethod
    def run(
        cls,
        job_id: int,
        work: Callable[[Self], object],
        *,
        fails_on: type[Exception] | tuple[type[Exception], ...] = (),
    ) -> Self:
        """Claim the job, do `work` on it while its worker beats, and finish it: done, or
        failed with the message of a `fails_on` error (one the lead can act on). A finished job,
        or another worker's, is returned as it is."""
        job = cls.claim(job_id)
        if job is None:
            return cls.objects.get(id=job_id)
        try:
            with job.working():
                work(job)
        except fails_on as exc:
            return job.finish(JobStatus.FAILED, str(exc))
        return job.finish(JobStatus.DONE)

    @classmethod
    def claimable(cls, now=None) -> Q:
        stale = (now or timezone.now()) - stale_after()
        beating = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale)
        return Q(status=JobStatus.PENDING) | (Q(status=JobStatus.RUNNING) & beating)

    @classmethod
    def claim(cls, job_id: int) -> Self | None:
        """The job, now running for this worker; None if it is finished or another worker's."""
        now = timezone.now()
        claimed = cls.objects.filter(cls.claimable(now), id=job_id).update(
            status=JobStatus.RUNNING, started_at=now, heartbeat_at=now,
            attempts=F("attempts") + 1, error="", finished_at=None,
        )  # fmt: skip
        return cls.objects.get(id=job_id) if claimed else None

    def heartbeat(self) -> bool:
        """Say this job's worker is alive; False if the job is no longer running here."""
        now = timezone.now()
        mine = type(self).objects.filter(id=self.id, status=JobStatus.RUNNING)
        return bool(mine.update(heartbeat_at=now))

    def report(self, progress: float, stage: str | None = None) -> None:
        """Progress (0..1) and the stage for the page that polls the job; a heartbeat too."""
        fields = {"progress": round(progress, 3), "heartbeat_at": timezone.now()}
        if stage is not None:
            fields["stage"] = stage[:100]
        type(self).objects.filter(id=self.id, status=JobStatus.RUNNING).update(**fields)

    def reporter(self, stage: str, low: float = 0.0, high: float = 1.0) -> Callable[[float], None]:
        """A progress callback for one stage of the work: its 0..1 is low..high of the job."""

        def report(fraction: float) -> None:
            self.report(low + (high - low) * fraction, stage)

        report(0.0)
        return report

    def finish(self, status: str, error: str = "") -> Self:
        """End the job, saving its RESULT_FIELDS with the status."""
        self.status, self.error, self.finished_at = status, error, timezone.now()
        if status == JobStatus.DONE:
            self.progress = 1.0
        self.save(update_fields=["status", "error", "finished_at", "progress", *self.RESULT_FIELDS])
        return self

    def release(self) -> None:
        """Back to pending: the work stopped on an error its task retries."""
        type(self).objects.filter(id=self.id, status=JobStatus.RUNNING).update(
            status=JobStatus.PENDING, heartbeat_at=None
        )

    @contextmanager
    def working(self) -> Iterator[None]:
        """While the work runs: a heartbeat every JOB_HEARTBEAT_SECONDS from a worker (in-process
        tasks need none), and the claim given back if the work stops on a transient error."""
        beating = _Heartbeat(self) if not settings.CELERY_TASK_ALWAYS_EAGER else None
        try:
            yield
        except TRANSIENT:
            self.release()
            raise
        finally:
            if beating is not None:
                beating.stop()

    def live(self) -> Self:
        """The job as its page shows it now: one that keeps its progress outside its row (an
        import) fills it in."""
        return self

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)

    @property
    def is_stale(self) -> bool:
        """Running, but its worker stopped beating: it died, and a lead may resume the job."""
        if self.status != JobStatus.RUNNING:
            return False
        return self.heartbeat_at is None or timezone.now() - self.heartbeat_at > stale_after()

    @property
    def is_waiting(self) -> bool:
        """Pending for longer than a worker takes to start it: its task may never have been
        sent (the broker was down), and a lead may send it again."""
        waited = timezone.now() - self.created_at
        return self.status == JobStatus.PENDING and waited > stale_after()

    def resume(self) -> bool:
        """Put a job whose worker died (or whose task never reached a worker) back to pending;
        False if it is running fine or finished. The caller sends it again (`send()`)."""
        waiting = Q(status=JobStatus.PENDING, created_at__lt=timezone.now() - stale_after())
        stopped = self.claimable() & Q(status=JobStatus.RUNNING)
        resumed = (
            type(self)
            .objects.filter(waiting | stopped, id=self.id)
            .update(status=JobStatus.PENDING, heartbeat_at=None, error="")
        )
        return bool(resumed)


class _Heartbeat:
    """A thread that beats for a job until stopped, on its own database connection."""

    def __init__(self, job: Job) -> None:
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(job,), daemon=True)
        self._thread.start()

    def _run(self, job: Job) -> None:
        try:
            while not self._stopped.wait(heartbeat_seconds()):
                if not job.heartbeat():
                    return
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=heartbeat_seconds())


# Every kind of job, by the name its status and resume URLs use: (app label.model name, the task
# that runs it). Each app adds its own (annotation here, selection in its AppConfig.ready).
KINDS: dict[str, tuple[str, str]] = {
    "import": ("annotation.ImportJob", "annotation.tasks.run_import"),
    "export": ("annotation.ExportJob", "annotation.tasks.run_export"),
}
