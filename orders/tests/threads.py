"""Run test functions at the same moment in threads, one connection each."""

import threading

from django.db import connection

JOIN_TIMEOUT_SECONDS = 120


def run_in_threads(functions):
    """Start one thread per function behind a barrier and wait for all."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        try:
            barrier.wait()
            function()
        except Exception as error:  # reported by the assert below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
