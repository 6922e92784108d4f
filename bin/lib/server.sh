# Sourced by bin/serve, bin/bench-startup, bin/sdk-check and bin/prism-check (after bin/lib/jdk.sh): builds the
# server jar when it is missing or older than its sources, picks the JVM's AOT cache options, and starts the server
# on a free port with a fresh embedded H2 database in a temp dir.
# start_server sets SERVER_URL, SERVER_DIR (holds demo-credentials.json and server.log) and SERVER_PID;
# stop_server stops it (call it from an EXIT trap).
SERVER_JAR=src/target/audiences-server.jar
SERVER_AOT=src/target/audiences-server.aot

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

ensure_server_jar() {
  if [ ! -f "$SERVER_JAR" ] || [ -n "$(find openapi.yaml pom.xml src generated codegen -newer "$SERVER_JAR" -type f \
        -not -path '*/target/*' 2>/dev/null | head -1)" ]; then
    echo "== Building the server ($SERVER_JAR)"
    local log; log=$(mktemp)
    mvn -B -q -Dstyle.color=never -DskipTests -pl src -am package >"$log" 2>&1 \
      || { cat "$log" >&2; rm -f "$log"; echo "Building the server failed" >&2; return 1; }
    rm -f "$log" "$SERVER_AOT"
  fi
}

# On JDK 25+, a start without a cache records one (written when the server stops, e.g. on Ctrl-C); later starts
# load the server's classes from it, which roughly halves the time to the first answer. The cache belongs to this
# exact jar: a rebuild drops it. Older JDKs run without one.
aot_options() {
  if [ "$(java_major "$JAVA_HOME")" -lt 25 ]; then
    return
  fi
  # -Xlog: JDK 25 warns about adapter stubs it cannot link from the cache (it compiles them instead).
  if [ -f "$SERVER_AOT" ]; then
    echo "-XX:AOTCache=$SERVER_AOT -Xlog:aot*=error"
  else
    echo "-XX:AOTCacheOutput=$SERVER_AOT -Xlog:aot*=error"
  fi
}

start_server() {
  # A second try once the first one's reason is printed: a start that dies without a line (a signal, e.g. the kernel's
  # OOM killer) or hangs is a fact about the machine at that moment more than about the server.
  launch_server || { echo "== Starting the server once more" >&2; stop_server; launch_server; }
}

launch_server() {
  SERVER_DIR=$(mktemp -d)
  local port; port=$(free_port)
  AUDIENCES_DATA_DIR="$SERVER_DIR" SERVER_PORT="$port" \
    "$JAVA_HOME/bin/java" -Xmx512m -jar "$SERVER_JAR" >"$SERVER_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  SERVER_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 240); do
    # Ready, not just up: readiness stays down until the demo data set is loaded.
    if [ -s "$SERVER_DIR/demo-credentials.json" ] && curl -fsS "$SERVER_URL/health/ready" >/dev/null 2>&1; then
      echo "== Server up on $SERVER_URL (data in $SERVER_DIR)"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
  done
  local status=running
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "The server did not get ready within 120 s; its threads:" >&2
    "$JAVA_HOME/bin/jstack" "$SERVER_PID" >&2 || true
  else
    status=0; wait "$SERVER_PID" || status=$?
  fi
  # An exit status above 128 is a signal (137: SIGKILL), which leaves no log line.
  echo "The server did not start (exit status: $status); its log:" >&2
  cat "$SERVER_DIR/server.log" >&2
  echo "Memory, disk and the largest processes at the time:" >&2
  free -m >&2 || true
  df -h "$SERVER_DIR" >&2 || true
  ps -eo pid,rss,etime,args --sort=-rss 2>/dev/null | head -8 | cut -c1-200 >&2 || true
  return 1
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
  [ -n "${SERVER_DIR:-}" ] && rm -rf "$SERVER_DIR"
  SERVER_DIR=
}
