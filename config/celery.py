from __future__ import annotations

import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
logger = logging.getLogger(__name__)


class Task(DjangoTask):
    def delay_on_commit(self, *args, **kwargs) -> None:
        """Send the task once the transaction commits; with the broker down, log it instead of
        failing the request that already saved its work (the job's row stays pending)."""
        transaction.on_commit(lambda: self.send_or_log(*args, **kwargs))

    def send_or_log(self, *args, **kwargs) -> bool:
        try:
            self.delay(*args, **kwargs)
        except OperationalError as exc:
            logger.warning("Broker unreachable: %s%r not sent (%s)", self.name, args, exc)
            return False
        return True


app = Celery("pairsmith", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
