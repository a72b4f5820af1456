# shellcheck shell=bash
# Helpers shared by the scripts that run local services (scripts/broker, scripts/schema-registry).

# Prints the pid in pid file $1 if that process is still alive and its command line matches the
# regular expression $2 (guards against a stale pid file whose pid was reused).
live_pid() {
  [[ -f "$1" ]] || return 1
  local pid
  pid="$(cat "$1" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$2" || return 1
  echo "$pid"
}

# True when something accepts TCP connections on host:port (bash's /dev/tcp, no nc needed).
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}
