# A PostgreSQL server of the tests' own: a new cluster in a temporary directory, on 127.0.0.1 and a
# free port, its socket in that directory. Debian's packaged service is never used (it is kept from
# starting on install). `start_test_postgres` exports TOCSIN_TEST_POSTGRES_URL; `stop_test_postgres`
# stops the server by its PID and removes the directory.

start_test_postgres() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
    if [ ! -x "$bin/initdb" ]; then
        echo "PostgreSQL's initdb was not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
        return 1
    fi
    TEST_POSTGRES_DIR=$(mktemp -d /tmp/tocsin-test-postgres.XXXXXX)
    # initdb refuses to run as root: the server runs as Debian's postgres user.
    local as_owner=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$TEST_POSTGRES_DIR"
        as_owner=(runuser -u postgres --)
    fi
    "${as_owner[@]}" "$bin/initdb" -D "$TEST_POSTGRES_DIR/data" -A trust -U postgres > "$TEST_POSTGRES_DIR/initdb.log" 2>&1 || {
        cat "$TEST_POSTGRES_DIR/initdb.log" >&2
        return 1
    }
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_owner[@]}" "$bin/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -l "$TEST_POSTGRES_DIR/server.log" -w -t 60 \
        -o "-p $port -k $TEST_POSTGRES_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start > /dev/null || {
        cat "$TEST_POSTGRES_DIR/server.log" >&2
        return 1
    }
    TEST_POSTGRES_PID=$(head -n 1 "$TEST_POSTGRES_DIR/data/postmaster.pid")
    export TOCSIN_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    echo "==> PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port (pid $TEST_POSTGRES_PID)"
}

stop_test_postgres() {
    [ -n "${TEST_POSTGRES_PID:-}" ] || return 0
    # SIGINT is PostgreSQL's fast shutdown: sessions are ended, and the server exits at once.
    kill -INT "$TEST_POSTGRES_PID" 2> /dev/null || true
    for _ in $(seq 1 300); do
        kill -0 "$TEST_POSTGRES_PID" 2> /dev/null || break
        sleep 0.1
    done
    kill -KILL "$TEST_POSTGRES_PID" 2> /dev/null || true
    rm -rf "$TEST_POSTGRES_DIR"
    TEST_POSTGRES_PID=""
}
