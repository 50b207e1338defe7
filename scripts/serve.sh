#!/usr/bin/env bash
# Serve Chanye: the background worker (imports) and gunicorn, stopped together.
set -euo pipefail
host="${1:-127.0.0.1}"; port="${2:-8000}"
.venv/bin/python manage.py db_worker --no-startup-delay --interval 1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
.venv/bin/gunicorn config.wsgi --config config/gunicorn.py --bind "$host:$port"
