"""gunicorn settings of `scripts/serve.sh` (`make run`) and of bench/project_burst.py: one place, so the
benchmark measures the server as it is run. Environment variables override each value."""

import os

workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = 60
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
loglevel = "warning"
