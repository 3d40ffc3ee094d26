"""gunicorn settings for serving the site's HTTP requests.

Production serves HTTP with gunicorn (WSGI) and only the websockets
(`/ws/`) with daphne. Under daphne every synchronous Django view crosses
from the event loop to a worker thread and back, which roughly doubled
the CPU time of a listing lookup in the feed benchmark (docs/benchmarks.md).
Run from the project root:

    gunicorn -c marketplace/gunicorn_conf.py

The number of worker processes comes from `WEB_CONCURRENCY` (gunicorn reads
it itself; 1 by default) and the address from `--bind` or
`GUNICORN_CMD_ARGS`.
"""

from typing import Any

wsgi_app = "marketplace.wsgi:application"


def post_worker_init(worker: Any) -> None:
    """Load the feed's models and index before the worker takes requests."""
    from recommender.serving import warm_up

    warm_up()
