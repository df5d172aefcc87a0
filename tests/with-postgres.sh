#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server: start it on 127.0.0.1 with
# its own port and socket folder, export TEST_DATABASE_URL, run the command, stop
# the server and delete its files whatever happens. Exits with the command's status.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: PostgreSQL server not found (apt-get install postgresql)" >&2
  exit 1
fi
port=${PGTEST_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
dir=$(mktemp -d /tmp/tumorboard-pg.XXXXXX)
as_postgres=()
if [ "$(id -u)" = 0 ]; then  # initdb and pg_ctl refuse to run as root
  chown postgres: "$dir"
  as_postgres=(runuser -u postgres --)
fi

stop() {
  "${as_postgres[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_postgres[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U tumorboard -E UTF8 --no-sync >/dev/null
"${as_postgres[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"${as_postgres[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U tumorboard tumorboard_test

export TEST_DATABASE_URL="postgresql+psycopg://tumorboard@127.0.0.1:$port/tumorboard_test"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
