"""Gunicorn's settings for Solidaire, shared by `make serve` (through
`manage.py serve`), the systemd unit and the container.

Synchronous workers, each answering one request at a time: Solidaire's pages
are short database work, and a reverse proxy in front (nginx, a load
balancer) buffers slow clients and uploads. More workers than cores, since a
worker mostly waits on PostgreSQL.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
# A request that takes longer is stuck: its worker is replaced.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
# On SIGTERM, requests under way get this long to finish.
graceful_timeout = 30
keepalive = 5
# Workers are replaced from time to time, so no slow leak lasts.
max_requests = 2000
max_requests_jitter = 200
# One JSON line per request comes from Solidaire itself (with its request
# id); gunicorn's own access log would say it twice.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxy in front sets X-Forwarded-Proto; trust it only from these
# addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "solidaire-web"
control_socket_disable = True
