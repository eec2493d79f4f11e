#!/bin/sh
# The commands of Solidaire's image (deploy/Containerfile), the same as
# `make serve` and the systemd units:
#   migrate  migrate and createcachetable (once per release, from one place)
#   web      check --deploy, then gunicorn with deploy/gunicorn.conf.py
#   worker   the task worker
#   serve    migrate, then web and worker together (manage.py serve)
# Anything else runs as given, e.g. `python manage.py createsuperuser`.
set -eu

case "${1:-serve}" in
migrate)
    python manage.py migrate --noinput
    exec python manage.py createcachetable
    ;;
web)
    shift
    python manage.py check --deploy --fail-level ERROR
    exec python -m gunicorn --config deploy/gunicorn.conf.py "$@" solidaire.wsgi:application
    ;;
worker)
    shift
    exec python manage.py db_worker --queue-name='*' --no-reload "$@"
    ;;
serve)
    shift
    python manage.py check --deploy --fail-level ERROR
    python manage.py migrate --noinput
    python manage.py createcachetable
    exec python manage.py serve --bind "$BIND" "$@"
    ;;
*)
    exec "$@"
    ;;
esac
