# PostgreSQL for the tests (sourced by scripts/test.sh, not run).
# STREETWATCH_TEST_PG_DSN wins; otherwise a server answering on 127.0.0.1:5432 is used; otherwise
# (or with STREETWATCH_TEST_PG=private) a throwaway cluster is created on a free port, with trust
# auth on 127.0.0.1 only, and removed when the tests end.

_pg_bin() {  # the folder of initdb/pg_ctl: on PATH or Debian's versioned folder
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    [ -n "$found" ] && echo "$found"
}

_free_port() {
    .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ensure_test_postgres: export STREETWATCH_TEST_PG_DSN for the tests.
ensure_test_postgres() {
    [ -n "${STREETWATCH_TEST_PG_DSN:-}" ] && return 0
    if [ "${STREETWATCH_TEST_PG:-}" != private ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        return 0  # the default DSN (postgres@127.0.0.1:5432) is up
    fi
    [ -n "$(_pg_bin)" ] || ensure_packages /usr/lib/postgresql:postgresql
    local bin dir port run=()
    bin="$(_pg_bin)"
    if [ -z "$bin" ]; then echo "setup: no PostgreSQL server binaries found" >&2; return 1; fi
    dir="$(mktemp -d /tmp/streetwatch-pg.XXXXXX)"
    port="$(_free_port)"
    if [ "$(id -u)" = 0 ]; then  # initdb refuses to run as root
        local user=postgres
        id "$user" >/dev/null 2>&1 || user=nobody
        chown "$user" "$dir"
        run=(runuser -u "$user" --)
    fi
    "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust >"$dir/initdb.log" 2>&1 || {
        echo "setup: initdb failed, see $dir/initdb.log" >&2; return 1; }
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
        "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || {
        echo "setup: PostgreSQL did not start, see $dir/server.log" >&2; return 1; }
    export STREETWATCH_TEST_PG_DSN="postgresql://postgres@127.0.0.1:$port/postgres"
    _STREETWATCH_PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
    _STREETWATCH_PG_DIR="$dir"
    trap '"${_STREETWATCH_PG_STOP[@]}" >/dev/null 2>&1; rm -rf "$_STREETWATCH_PG_DIR"' EXIT
    echo "setup: tests use a private PostgreSQL on 127.0.0.1:$port"
}
