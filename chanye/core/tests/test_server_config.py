"""The server's layout (config/gunicorn.py) follows the database it serves: eight threads a worker on
PostgreSQL, four on the embedded SQLite (an empty DATABASE_URL is SQLite, as in the settings)."""

import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[3] / "config" / "gunicorn.py"


@pytest.mark.parametrize(
    ("environment", "threads"),
    [
        ({}, 4),
        ({"DATABASE_URL": ""}, 4),
        ({"DATABASE_URL": " "}, 4),
        ({"DATABASE_URL": "sqlite:////srv/chanye.sqlite3"}, 4),
        ({"DATABASE_URL": "postgres://chanye@db:5432/chanye"}, 8),
        ({"DATABASE_URL": "postgresql://chanye@db/chanye"}, 8),
        ({"DATABASE_URL": "postgres://chanye@db/chanye", "GUNICORN_THREADS": "3"}, 3),
    ],
)
def test_threads_follow_the_database(monkeypatch, environment, threads):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    layout = runpy.run_path(str(CONFIG))
    assert (layout["workers"], layout["threads"], layout["worker_class"]) == (2, threads, "gthread")
