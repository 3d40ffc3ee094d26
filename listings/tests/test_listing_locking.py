import threading
import time

import pytest
from django.db import connection, transaction

from listings import services
from listings.models import Listing
from recommender.tests.factories import ListingFactory, UserFactory

LOCK_WAIT_LIMIT_SECONDS = 30


def wait_until_blocked(backend_pid):
    """Poll pg_locks until `backend_pid` waits for a lock; pg_locks is live."""
    deadline = time.monotonic() + LOCK_WAIT_LIMIT_SECONDS
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted",
                [backend_pid],
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError(f"backend {backend_pid} never waited for a lock")


@pytest.mark.django_db(transaction=True)
def test_reserve_waits_for_concurrent_sale():
    listing = ListingFactory(seller=UserFactory(username="seller"))
    buyer = UserFactory(username="buyer")
    started = threading.Event()
    outcome = {}

    def reserve_in_other_connection():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            started.set()
            services.reserve_listing(listing=listing, buyer=buyer)
            outcome["result"] = "reserved"
        except services.ActionNotAllowedError as error:
            outcome["result"] = f"rejected: {error.status}"
        finally:
            started.set()
            connection.close()

    worker = threading.Thread(target=reserve_in_other_connection)
    with transaction.atomic():
        Listing.objects.select_for_update().get(pk=listing.pk)
        worker.start()
        assert started.wait(LOCK_WAIT_LIMIT_SECONDS)
        wait_until_blocked(outcome["pid"])
        Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.SOLD)
    worker.join(LOCK_WAIT_LIMIT_SECONDS)

    assert outcome["result"] == "rejected: sold"
    listing.refresh_from_db()
    assert listing.status == Listing.Status.SOLD
    assert listing.reserved_for is None
