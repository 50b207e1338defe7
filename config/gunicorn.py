"""gunicorn settings of `scripts/serve.sh` (`make run`) and of bench/project_burst.py: one place, so the
benchmark measures the server as it is run. Environment variables override each value."""

import os

workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threads a worker: on PostgreSQL (any DATABASE_URL but SQLite's) a request spends part of its time waiting for the database (a commit waits
# for its WAL flush) without the CPU, and eight threads keep both cores busy meanwhile (the deadline burst's
# p99 fell from 271 to 106 ms against four); on SQLite writers queue on the file's one write lock, and more
# threads only lengthen that queue (p99 151 ms with four, 231 with eight). bench/README.md has the runs.
_url = os.environ.get("DATABASE_URL", "").strip().lower()  # empty: the embedded SQLite, as in settings
_server_database = bool(_url) and not _url.startswith(("sqlite:", "spatialite:"))
threads = int(os.environ.get("GUNICORN_THREADS", "8" if _server_database else "4"))
worker_class = "gthread"
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = 60
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
loglevel = "warning"
