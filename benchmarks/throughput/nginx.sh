#!/usr/bin/env bash
# Starts or stops the benchmark's nginx on 127.0.0.1.
#   nginx.sh start PAGES_DIR RUN_DIR   generates a certificate, finds free ports, starts
#                                      nginx, and prints "PORT STATUS_PORT"
#   nginx.sh stop RUN_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Debian puts nginx in /usr/sbin, which is not on the PATH of users other than root.
nginx=$(command -v nginx || echo /usr/sbin/nginx)

start() {
  local pages run
  pages=$(cd "$1" && pwd)
  mkdir -p "$2/tmp"
  run=$(cd "$2" && pwd)
  if [ ! -s "$run/cert.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
      -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
      -keyout "$run/key.pem" -out "$run/cert.pem" 2>/dev/null
  fi
  # As root, nginx's workers would drop to "nobody", who may not read the build folder.
  local user=""
  [ "$(id -u)" -eq 0 ] && user="user root;"
  local attempt port
  for attempt in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    sed -e "s|@USER@|$user|" -e "s|@RUN@|$run|g" -e "s|@PAGES@|$pages|" \
        -e "s|@PORT@|$port|" -e "s|@STATUS_PORT@|$((port + 1))|" \
        "$here/nginx.conf.in" >"$run/nginx.conf"
    if "$nginx" -p "$run" -c "$run/nginx.conf" -e "$run/error.log" 2>>"$run/start.log"; then
      echo "$port $((port + 1))"
      return 0
    fi
    grep -q 'Address already in use' "$run/start.log" || { cat "$run/start.log" >&2; return 1; }
  done
  echo "nginx.sh: no free port found" >&2
  return 1
}

stop() {
  local pid_file="$1/nginx.pid"
  [ -s "$pid_file" ] || return 0
  local pid
  pid=$(cat "$pid_file")
  kill -QUIT "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) start "$2" "$3" ;;
  stop) stop "$2" ;;
  *) echo "usage: nginx.sh start PAGES_DIR RUN_DIR | nginx.sh stop RUN_DIR" >&2; exit 2 ;;
esac
