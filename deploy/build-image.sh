#!/bin/sh
# Build Solidaire's image (deploy/Containerfile) with podman, and check it
# against a PostgreSQL. See docs/deployment.md, "In a container".
#
#   deploy/build-image.sh build [TAG]   build the image (default tag localhost/solidaire:latest)
#   deploy/build-image.sh base          only make the local Debian trixie base (LOCAL_BASE=1)
#   deploy/build-image.sh check [TAG]   run it: migrate, web, worker, /healthz, /readyz, the home
#                                       page, on a scratch database that is dropped at the end
#
# Settings (environment):
#   LOCAL_BASE=1     no image registry: make the base image from the Debian
#                    mirror with mmdebstrap (localhost/debian:trixie-slim)
#                    instead of pulling docker.io/library/debian:trixie-slim
#   DEBIAN_MIRROR    the mirror for LOCAL_BASE (http://deb.debian.org/debian)
#   PIP_CA_BUNDLE    a CA bundle for pip during the build, where PyPI is
#                    reached through a TLS-inspecting proxy; mounted for the
#                    build only, never kept in the image
#   PODMAN_OPTS      global podman options, e.g. "--runtime runc" where crun
#                    refuses the host's cgroups ("cgroups in hybrid mode not supported")
#   RLIMITS          ulimit options for builds and runs, e.g. "--ulimit
#                    nofile=20000:20000 --ulimit nproc=32768:32768" where the
#                    host's limits are below podman's defaults ("setrlimit
#                    RLIMIT_NOFILE: Operation not permitted")
#   PG_URL           the PostgreSQL server for check (postgres://postgres@127.0.0.1:5432)
#   CHECK_PORT       the loopback port of check's web container (8099)
set -eu

cd "$(dirname "$0")/.."
PODMAN="podman ${PODMAN_OPTS:-}"
RLIMITS="${RLIMITS:-}"
LOCAL_BASE_IMAGE=localhost/debian:trixie-slim
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

need() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "$1 is needed: apt-get install $2" >&2
        exit 1
    }
}

base() {
    # A Debian trixie like Docker Hub's debian:trixie-slim (minbase, no
    # manual pages, documentation or translations), with trixie-updates
    # and trixie-security, straight from the Debian mirror.
    need mmdebstrap mmdebstrap
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    security="$(echo "$DEBIAN_MIRROR" | sed 's#/debian$#/debian-security#')"
    mmdebstrap --variant=minbase --quiet \
        --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        trixie "$tmp/rootfs.tar" \
        "deb $DEBIAN_MIRROR trixie main" \
        "deb $DEBIAN_MIRROR trixie-updates main" \
        "deb $security trixie-security main"
    $PODMAN import --change 'CMD ["/bin/bash"]' "$tmp/rootfs.tar" "$LOCAL_BASE_IMAGE" >/dev/null
    rm -rf "$tmp"
    trap - EXIT
    echo "base image: $LOCAL_BASE_IMAGE"
}

build() {
    tag="${1:-localhost/solidaire:latest}"
    need podman podman
    set --
    if [ "${LOCAL_BASE:-0}" = 1 ]; then
        base
        set -- "$@" --build-arg "BASE_IMAGE=$LOCAL_BASE_IMAGE"
    fi
    if [ -n "${PIP_CA_BUNDLE:-}" ]; then
        set -- "$@" --build-arg PIP_CERT=/run/build-ca.crt -v "$PIP_CA_BUNDLE:/run/build-ca.crt:ro"
    fi
    # Docker's image format keeps the HEALTHCHECK (OCI's has none).
    # shellcheck disable=SC2086
    $PODMAN build --format docker --network host $RLIMITS "$@" \
        -f deploy/Containerfile -t "$tag" .
    $PODMAN image inspect --format '{{.Id}} {{.Size}} bytes' "$tag"
}

check() {
    tag="${1:-localhost/solidaire:latest}"
    need psql postgresql-client
    pg="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
    port="${CHECK_PORT:-8099}"
    db="solidaire_image_check"
    tmp=$(mktemp -d)
    web="" worker=""
    cleanup() {
        for c in $worker $web; do $PODMAN rm -f -t 40 "$c" >/dev/null 2>&1 || true; done
        $PODMAN volume rm -f "$db-var" >/dev/null 2>&1 || true
        psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" || true
        rm -rf "$tmp"
    }
    trap cleanup EXIT
    psql "$pg/postgres" -qc "CREATE DATABASE $db"
    python3 -c 'import secrets; print(secrets.token_urlsafe(64))' >"$tmp/secret_key"
    chmod 644 "$tmp/secret_key"
    # Host networking reaches the PostgreSQL on the host's loopback. Each
    # container gets a hostname of its own, so that the workers' heartbeats
    # say which container they come from.
    # shellcheck disable=SC2086
    health=""
    # podman runs HEALTHCHECK on systemd timers; without systemd, check
    # runs it by hand (podman healthcheck run) instead.
    [ -d /run/systemd/system ] || health="--no-healthcheck"
    run() {
        $PODMAN run --network host $RLIMITS $health \
            -e "DATABASE_URL=$pg/$db" -e ALLOWED_HOSTS=127.0.0.1,localhost \
            -e SECURE_SSL_REDIRECT=false -e "BIND=127.0.0.1:$port" \
            -e SECRET_KEY_FILE=/run/solidaire/secret_key \
            -e EMAIL_BACKEND=solidaire.common.mail.ConsoleAndFileEmailBackend \
            -v "$tmp/secret_key:/run/solidaire/secret_key:ro" -v "$db-var:/srv/solidaire/var" \
            "$@"
    }
    run --rm --hostname solidaire-migrate "$tag" migrate >/dev/null
    web=$(run -d --hostname solidaire-web "$tag" web)
    ok=""
    for _ in $(seq 1 60); do
        if curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; then ok=1; break; fi
        sleep 0.5
    done
    [ -n "$ok" ] || { $PODMAN logs "$web" >&2; echo "web did not answer /healthz" >&2; exit 1; }
    for path in /healthz /readyz /; do
        curl -s -o /dev/null -w "GET $path %{http_code} %{size_download} bytes\n" "http://127.0.0.1:$port$path"
    done
    worker=$(run -d --hostname solidaire-worker "$tag" worker)
    started=$(date +%s)
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; do
        if [ $(($(date +%s) - started)) -gt 60 ]; then
            $PODMAN logs "$worker" >&2
            echo "/readyz not 200 a minute after the worker started" >&2
            exit 1
        fi
        sleep 1
    done
    echo "GET /readyz 200 $(($(date +%s) - started)) s after the worker started: $(curl -s "http://127.0.0.1:$port/readyz")"
    if [ -z "$health" ]; then
        $PODMAN healthcheck run "$web"
    else
        $PODMAN exec "$web" sh -c "$($PODMAN image inspect --format '{{index .Config.Healthcheck.Test 1}}' "$tag")"
    fi
    echo "the image's HEALTHCHECK in web: healthy"
    for c in $worker $web; do
        started=$(date +%s)
        $PODMAN stop -t 40 "$c" >/dev/null
        echo "$($PODMAN inspect --format '{{.Config.Cmd}}' "$c") stopped by SIGTERM in $(($(date +%s) - started)) s, exit $($PODMAN inspect --format '{{.State.ExitCode}}' "$c")"
        $PODMAN rm "$c" >/dev/null
    done
    web="" worker=""
    # The default command: migrate, then web and worker in one container.
    web=$(run -d --hostname solidaire-serve "$tag")
    started=$(date +%s)
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; do
        if [ $(($(date +%s) - started)) -gt 90 ]; then
            $PODMAN logs "$web" >&2
            echo "serve: /readyz not 200 after 90 s" >&2
            exit 1
        fi
        sleep 1
    done
    echo "default command (serve): /readyz 200 $(($(date +%s) - started)) s after the start"
    started=$(date +%s)
    $PODMAN stop -t 40 "$web" >/dev/null
    echo "serve stopped by SIGTERM in $(($(date +%s) - started)) s, exit $($PODMAN inspect --format '{{.State.ExitCode}}' "$web")"
}

[ $# -gt 0 ] || set -- build
case "$1" in
build) shift; build "$@" ;;
base) base ;;
check) shift; check "$@" ;;
*)
    sed -n '2,9p' "$0" >&2
    exit 2
    ;;
esac
