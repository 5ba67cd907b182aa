#!/usr/bin/env bash
# Runs a command with DANVAN_TEST_DATABASE_URL pointing at a throwaway PostgreSQL cluster: initdb in a
# temporary folder (as the postgres user when run as root: the server refuses to run as root), on a
# free port of 127.0.0.1 only, stopped and deleted on exit. Debian's `postgresql` package provides the
# programs (tools/system-packages.txt). Without them it says so and exits 0, or 1 when
# DANVAN_REQUIRE_POSTGRES=1 (CI). A DANVAN_TEST_DATABASE_URL already set is used as it is.
# With openssl at hand the server speaks TLS too, its certificate (for 127.0.0.1 only) signed by a CA
# made for the run: DANVAN_TEST_SSL_CA names that CA's file (tests/db/test_server_tls.py).
set -euo pipefail

if [[ -n ${DANVAN_TEST_DATABASE_URL:-} ]]; then
  exec "$@"
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z $bindir || ! -x $bindir/initdb ]]; then
  echo "PostgreSQL is not installed (Debian: apt-get install postgresql): the server run is skipped." >&2
  [[ ${DANVAN_REQUIRE_POSTGRES:-0} == 1 ]] && exit 1
  exit 0
fi

folder=$(mktemp -d "${TMPDIR:-/tmp}/danvan-pg.XXXXXX")
as=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres: "$folder"
  as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  "${as[@]}" "$bindir/pg_ctl" -D "$folder/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$folder"
}
trap stop EXIT

# trust on 127.0.0.1 only; fsync and full-page writes off: the cluster lives as long as the test run.
"${as[@]}" "$bindir/initdb" -D "$folder/data" -U danvan --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
tls=""
if command -v openssl >/dev/null; then
  (
    cd "$folder"
    ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 2 -subj "/CN=danvan test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 \
      -extfile server.ext 2>/dev/null
    chmod 600 server.key
    if [[ $(id -u) -eq 0 ]]; then chown postgres: server.key server.crt; fi
  ) && tls="-c ssl=on -c ssl_cert_file=$folder/server.crt -c ssl_key_file=$folder/server.key"
fi
"${as[@]}" "$bindir/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w \
  -o "-p $port -k $folder -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 $tls" \
  start >/dev/null
if [[ -n $tls ]]; then export DANVAN_TEST_SSL_CA="$folder/ca.crt"; fi
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway cluster in $folder)"
# The suite's own connections stay plain (sslmode=disable): a test that leaves a TLS socket to the
# garbage collector fails on its ResourceWarning; tests/db/test_server_tls.py asks for TLS itself.
export DANVAN_TEST_DATABASE_URL="postgresql://danvan@127.0.0.1:$port/postgres?sslmode=disable"
"$@"
