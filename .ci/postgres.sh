#!/usr/bin/env bash
# A running PostgreSQL server for the vendor store's tests, on a fresh Debian machine or one
# where this already ran. The contract tests run against SQLite and PostgreSQL alike, and
# PostgreSQL must be a real server (durability and concurrency are what they check), so CI
# installs Debian's package, starts its cluster and creates a test login.
#
# Idempotent: installs only if no server binaries exist, creates a cluster only if there is
# none, restarts only if the test settings are not yet live, (re)sets the role's password.
# Messages go to stderr; the LAST line of stdout is the variable for the tests:
#   export "$(.ci/postgres.sh | tail -1)"
#   -> POSTCOUNTER_TEST_PG=postgres://postcounter:postcounter@127.0.0.1:<port>/postgres
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# The role and password are for a throwaway test server that listens on loopback only.
readonly ROLE=postcounter
readonly PASSWORD=postcounter
# Tests run several connection pools in parallel; Debian's default of 100 is too few.
readonly MAX_CONNECTIONS=300

started_us=${EPOCHREALTIME/[.,]/}
log() {
  local tenths=$(((${EPOCHREALTIME/[.,]/} - started_us) / 100000))
  printf 'postgres.sh [%3d.%ds] %s\n' $((tenths / 10)) $((tenths % 10)) "$*" >&2
}
fail() { log "error: $*"; exit 1; }

# As root (CI) we switch users ourselves; otherwise sudo must work without a password.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
as_postgres() {
  # From / : the postgres user may not be able to enter the caller's directory.
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@")
  elif [ "$(id -un)" = postgres ]; then (cd / && "$@")
  else (cd / && sudo -n -u postgres "$@"); fi
}

server_binaries_present() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }

if server_binaries_present && command -v pg_lsclusters >/dev/null 2>&1; then
  log "server binaries present: $(echo /usr/lib/postgresql/*/bin/postgres)"
else
  log "installing postgresql (apt)"
  as_root apt-get update -qq >&2
  as_root apt-get install -y -qq --no-install-recommends postgresql </dev/null >&2
  server_binaries_present || fail "apt installed postgresql but no server binaries were found"
  log "installed"
fi

# One cluster: a running one if any, else the newest version's first cluster, else a new one.
# pg_lsclusters -h columns: version name port status owner data-dir log-file.
pick_cluster() {
  pg_lsclusters -h | awk '$4 ~ /^online/ { print $1, $2; found = 1; exit }
                          END { if (!found) exit 1 }' && return 0
  pg_lsclusters -h | sort -k1,1nr | awk 'NR == 1 { print $1, $2 }'
}
cluster=$(pick_cluster || true)
if [ -z "$cluster" ]; then
  version=$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -1 | cut -d/ -f5)
  log "no cluster: creating $version/main"
  as_root pg_createcluster "$version" main >&2
  cluster="$version main"
fi
read -r version name <<<"$cluster"
field() { pg_lsclusters -h "$version" "$name" | awk -v col="$1" '{ print $col }'; }
port=$(field 3)
log "cluster $version/$name on port $port: $(field 4)"

# Test settings in conf.d (included by Debian's postgresql.conf). fsync stays on: the store's
# durability is under test.
settings_file=/etc/postgresql/$version/$name/conf.d/postcounter-tests.conf
settings="# Written by postcounter's .ci/postgres.sh for the test server.
max_connections = $MAX_CONNECTIONS"
if [ "$(cat "$settings_file" 2>/dev/null || true)" != "$settings" ]; then
  log "writing $settings_file"
  printf '%s\n' "$settings" | as_root tee "$settings_file" >/dev/null
fi

psql_admin() { as_postgres psql -X -w -q -At -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@" </dev/null; }

case "$(field 4)" in
  online*)
    live=$(psql_admin -c 'SHOW max_connections')
    if [ "$live" -lt "$MAX_CONNECTIONS" ]; then
      log "restarting to apply max_connections = $MAX_CONNECTIONS (live: $live)"
      as_root pg_ctlcluster "$version" "$name" restart >&2
    fi
    ;;
  *)
    log "starting cluster"
    as_root pg_ctlcluster "$version" "$name" start >&2
    ;;
esac

for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" ||
  fail "server not accepting connections on 127.0.0.1:$port; see $(field 7)"
log "server ready"

# Create or update: ALTER also repairs a role left with another password or attributes.
psql_admin -c "DO \$\$ BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  ELSE
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END \$\$"
log "role $ROLE ready"

url="postgres://$ROLE:$PASSWORD@127.0.0.1:$port/postgres"
login_works() { [ "$(psql -X -w -At -d "$url" -c 'SELECT 1' </dev/null 2>/dev/null)" = 1 ]; }
if ! login_works; then
  # Debian's pg_hba.conf allows scram-sha-256 from 127.0.0.1; a customised one may not.
  hba=$(psql_admin -c 'SHOW hba_file')
  rule="host all $ROLE 127.0.0.1/32 scram-sha-256"
  if ! as_root grep -qxF "$rule" "$hba"; then
    log "password login over TCP refused: adding a rule for $ROLE atop $hba"
    as_root sed -i "1i $rule" "$hba"
    as_root pg_ctlcluster "$version" "$name" reload >&2
  fi
  login_works || fail "cannot log in as $ROLE over TCP at 127.0.0.1:$port"
fi
log "password login over TCP works (PostgreSQL $(psql_admin -c 'SHOW server_version'))"

echo "POSTCOUNTER_TEST_PG=$url"
