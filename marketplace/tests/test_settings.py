"""Settings come from the environment alone; each case runs in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "user_model": settings.AUTH_USER_MODEL,
    "queues": [
        [queue.name, queue.exchange.name, queue.routing_key]
        for queue in settings.CELERY_TASK_QUEUES
    ],
}))
"""
VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "SECRET_KEY",
    "DEBUG",
)


def _settings_with(tmp_path, **overrides):
    environment = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environment["DJANGO_SETTINGS_MODULE"] = "marketplace.settings"
    environment.update(overrides)
    # NOTE: a .env file in the project directory still fills unset variables.
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=tmp_path,
        env={**environment, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_test_database_is_postgresql():
    assert connection.vendor == "postgresql"


def test_embedded_defaults_without_environment(tmp_path):
    result = _settings_with(tmp_path, DEBUG="true")

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert values["broker"] == "memory://localhost/"
    assert values["layer"] == "channels.layers.InMemoryChannelLayer"
    assert values["user_model"] == "accounts.User"


def test_services_from_environment(tmp_path):
    result = _settings_with(
        tmp_path,
        SECRET_KEY="a-secret",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/marketplace",
        REDIS_URL="redis://127.0.0.1:6379/0",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/1",
    )

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/1"
    assert values["layer"] == "channels_redis.core.RedisChannelLayer"


def test_missing_secret_key_outside_debug_is_an_error(tmp_path):
    result = _settings_with(tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_invalid_suggestions_rate_is_an_error(tmp_path):
    result = _settings_with(tmp_path, DEBUG="true", SUGGESTIONS_HTTP_RATE="20 per min")

    assert result.returncode != 0
    assert "SUGGESTIONS_HTTP_RATE='20 per min' is not a rate" in result.stderr


def test_retention_shorter_than_session_gap_is_an_error(tmp_path):
    result = _settings_with(
        tmp_path,
        DEBUG="true",
        SUGGESTIONS_SESSION_GAP_MINUTES="90",
        SUGGESTIONS_VIEW_RETENTION_HOURS="1",
    )

    assert result.returncode != 0
    assert (
        "SUGGESTIONS_VIEW_RETENTION_HOURS=1.0 would delete views of sessions "
        "still open; set it to at least the session gap, 1.5 hours."
    ) in result.stderr


def test_tail_slots_above_count_is_an_error(tmp_path):
    result = _settings_with(
        tmp_path, DEBUG="true", SUGGESTIONS_COUNT="4", SUGGESTIONS_TAIL_SLOTS="5"
    )

    assert result.returncode != 0
    assert (
        "SUGGESTIONS_TAIL_SLOTS=5 is invalid; set it from 0 to SUGGESTIONS_COUNT (4)."
    ) in result.stderr


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"SUGGESTIONS_TAIL_SLOTS": "2", "SUGGESTIONS_EXPOSURE_PENALTY": "-1"},
            "SUGGESTIONS_EXPOSURE_PENALTY=-1.0 is invalid; set a finite number of "
            "at least 0 (0 turns it off).",
        ),
        (
            {"SUGGESTIONS_EXPOSURE_PENALTY": "0.5"},
            "SUGGESTIONS_EXPOSURE_PENALTY=0.5 spreads the tail positions, but "
            "SUGGESTIONS_TAIL_SLOTS is 0; set SUGGESTIONS_TAIL_SLOTS above 0 or "
            "the penalty to 0.",
        ),
        (
            {"SUGGESTIONS_TAIL_DEPTH": "0"},
            "SUGGESTIONS_TAIL_DEPTH=0 is invalid; set it from 1 to 2000.",
        ),
        (
            {"SUGGESTIONS_TAIL_DEPTH": "2001"},
            "SUGGESTIONS_TAIL_DEPTH=2001 is invalid; set it from 1 to 2000.",
        ),
    ],
)
def test_invalid_exposure_settings_are_errors(tmp_path, variables, message):
    result = _settings_with(tmp_path, DEBUG="true", **variables)

    assert result.returncode != 0
    assert message in result.stderr


def test_invalid_suggestions_queue_is_an_error(tmp_path):
    result = _settings_with(tmp_path, DEBUG="true", SUGGESTIONS_QUEUE="a queue")

    assert result.returncode != 0
    assert (
        "SUGGESTIONS_QUEUE='a queue' is invalid; use letters, digits, dots, "
        "dashes and underscores only."
    ) in result.stderr


def test_celery_suggestions_queue_is_an_error(tmp_path):
    result = _settings_with(tmp_path, DEBUG="true", SUGGESTIONS_QUEUE="celery")

    assert result.returncode != 0
    assert "SUGGESTIONS_QUEUE='celery' is invalid" in result.stderr


def test_example_suggestions_values_load(tmp_path):
    # Each `# NAME=value` line must load as it is once uncommented.
    example = (PROJECT_ROOT / ".env.example").read_text()
    variables = dict(
        line.removeprefix("# ").split("=", 1)
        for line in example.splitlines()
        if line.startswith("# SUGGESTIONS_") and "=" in line
    )
    assert "SUGGESTIONS_TAIL_DEPTH" in variables

    result = _settings_with(tmp_path, DEBUG="true", **variables)

    assert result.returncode == 0, result.stderr


def test_worker_queues_follow_suggestions_queue(tmp_path):
    default = _settings_with(tmp_path, DEBUG="true")
    renamed = _settings_with(tmp_path, DEBUG="true", SUGGESTIONS_QUEUE="pushes")

    # Each queue has its own exchange and routing key, so a message sent to
    # one queue never reaches the other.
    assert json.loads(default.stdout)["queues"] == [
        ["celery", "celery", "celery"],
        ["suggestions", "suggestions", "suggestions"],
    ]
    assert json.loads(renamed.stdout)["queues"] == [
        ["celery", "celery", "celery"],
        ["pushes", "pushes", "pushes"],
    ]
