#!/usr/bin/env bash
# Run a private Virtuoso instance for spacekg, bound to 127.0.0.1 only.
#
#   scripts/start-virtuoso.sh start DIR [HTTP_PORT] [SQL_PORT]   # default ports 8890 and 1111
#   scripts/start-virtuoso.sh stop DIR
#   scripts/start-virtuoso.sh status DIR
#
# DIR holds the database, its virtuoso.ini and the log; it is created if missing. The DBA
# password is VIRTUOSO_DBA_PASSWORD (default: "dba", acceptable only because the instance listens
# on 127.0.0.1). After `start`, load with:
#   SPACEKG_USER=dba SPACEKG_PASSWORD=... spacekg load --endpoint http://127.0.0.1:8890 --server virtuoso
# Install Virtuoso first with scripts/install-virtuoso.sh.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
http_port=${3:-8890}
sql_port=${4:-1111}
password=${VIRTUOSO_DBA_PASSWORD:-dba}
virtuoso=$(command -v virtuoso-t || true)
isql=$(command -v isql-vt || command -v isql || true)

pid_of() { [ -f "$dir/virtuoso.pid" ] && cat "$dir/virtuoso.pid"; }
alive() { local pid; pid=$(pid_of) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

case "$cmd" in
start)
  if [ -z "$virtuoso" ]; then
    echo "start-virtuoso: virtuoso-t not found (run scripts/install-virtuoso.sh)" >&2
    exit 1
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if alive; then
    echo "start-virtuoso: already running (pid $(pid_of))"
    exit 0
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$http_port") 2>/dev/null; then
    echo "start-virtuoso: port $http_port is already in use on 127.0.0.1" >&2
    exit 1
  fi
  fresh=0
  [ -f "$dir/virtuoso.db" ] || fresh=1
  cat > "$dir/virtuoso.ini" <<INI
[Database]
DatabaseFile       = $dir/virtuoso.db
ErrorLogFile       = $dir/virtuoso.log
LockFile           = $dir/virtuoso.lck
TransactionFile    = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $dir/virtuoso-temp.db
TransactionFile    = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:$sql_port
DisableUnixSocket        = 1
MaxClientConnections     = 10
CheckpointInterval       = 60
CaseMode                 = 2
DirsAllowed              = ., $dir, /usr/share/virtuoso-opensource-7/vad
VADInstallDir            = /usr/share/virtuoso-opensource-7/vad/
NumberOfBuffers          = 20000
MaxDirtyBuffers          = 15000
ThreadsPerQuery          = 2
MaxQueryMem              = 1G

[HTTPServer]
ServerPort                  = 127.0.0.1:$http_port
ServerRoot                  = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections        = 10
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
Charset                     = UTF-8
EnabledGzipContent          = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 300
INI
  (cd "$dir" && exec "$virtuoso" +foreground +configfile "$dir/virtuoso.ini") \
    >> "$dir/virtuoso.out" 2>&1 &
  echo $! > "$dir/virtuoso.pid"
  # wait until the HTTP server answers
  for _ in $(seq 1 120); do
    if ! alive; then
      echo "start-virtuoso: virtuoso-t exited; see $dir/virtuoso.log" >&2
      tail -n 5 "$dir/virtuoso.log" >&2 || true
      exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$http_port") 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
  if [ "$fresh" = 1 ] && [ "$password" != "dba" ] && [ -n "$isql" ]; then
    case "$password" in *"'"*) echo "start-virtuoso: no quote in the password" >&2; exit 1;; esac
    # a checkpoint right away: Virtuoso 7.2.5 cannot replay a password change from its log
    out=$("$isql" "127.0.0.1:$sql_port" dba dba \
      exec="USER_SET_PASSWORD('dba', '$password'); checkpoint;" 2>&1 || true)
    if printf '%s' "$out" | grep -q "Error"; then
      echo "start-virtuoso: could not set the DBA password: $(printf '%s' "$out" | head -n 1)" >&2
      exit 1
    fi
  fi
  # the SPARQL user may read; writes go through the digest-authenticated endpoints as dba
  echo "start-virtuoso: running (pid $(pid_of)), http://127.0.0.1:$http_port (SQL 127.0.0.1:$sql_port)"
  ;;
stop)
  if alive; then
    pid=$(pid_of)
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$dir/virtuoso.pid"
  echo "start-virtuoso: stopped"
  ;;
status)
  if alive; then echo "running (pid $(pid_of))"; else echo "stopped"; exit 1; fi
  ;;
*)
  echo "start-virtuoso: unknown command $cmd (start, stop, status)" >&2
  exit 2
  ;;
esac
