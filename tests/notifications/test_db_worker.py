"""The real path: the database task backend queues on commit, `db_worker` runs the task."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from liuyan.board import services as s
from liuyan.core.lifecycle import PermissionRefused
from liuyan.notifications.models import Notification
from tests.conftest import MONDAY

from . import steps


@pytest.mark.django_db(transaction=True)
def test_dispatch_is_queued_in_the_database_and_run_by_db_worker(world, settings):
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    m = steps.submitted(world)

    s.dispatch_message(message_id=m.pk, actor=world.moderator, lead_unit=world.bureau, now=MONDAY)

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "liuyan.notifications.dispatch.notify_event"
    assert queued.status == "READY"
    assert not Notification.objects.exists()  # nothing happens until a worker runs

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "citizen",
        "handler",
    }


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_step_queues_nothing(world):
    m = steps.submitted(world)
    with pytest.raises(PermissionRefused):
        s.dispatch_message(message_id=m.pk, actor=world.citizen, lead_unit=world.bureau)
    assert not DBTaskResult.objects.exists()
