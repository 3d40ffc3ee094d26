"""The Celery application; its settings come from CELERY_* Django settings."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

app = Celery("marketplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
@worker_process_init.connect
def freeze_worker_startup_objects(**kwargs: Any) -> None:
    """Freeze the loaded modules out of garbage collection once started.

    `worker_ready` comes in the main process, which runs the tasks of the
    solo pool, and `worker_process_init` in each prefork pool process.
    """
    from marketplace.gc_freeze import freeze_heap

    freeze_heap()


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(**kwargs: Any) -> None:
    """Close obsolete or broken database connections around each task.

    Django does the same around each web request. Celery's Django fixup
    would close every connection around every task, but CELERY_DB_REUSE_MAX
    turns that off, so this keeps DATABASE_CONN_MAX_AGE in force for
    workers as it is for web processes. Eager tasks run inside a request or
    a test, whose connection they must not close.
    """
    task = kwargs.get("task")
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
