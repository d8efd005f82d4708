#!/bin/sh
# The embedded database's watcher: the process that stays beside PostgreSQL.
# database-start.ts (in the CLI) starts PostgreSQL, then this at once, waits
# until PostgreSQL serves, and writes the state file naming this process.
# A POSIX shell, not Node: under 2 MB resident where Node holds 40 MB.
#
# It stops PostgreSQL (a fast shutdown, SIGKILL after 10 s), removes the
# state file while it still names this instance, and ends:
#   - on SIGTERM, SIGINT or SIGHUP (`cnf-admin db stop` sends SIGTERM);
#   - when the data directory is gone or replaced (`rm -rf .cnf`): its
#     postmaster.pid no longer names this postmaster (once it has: this
#     starts with PostgreSQL, which writes it as it starts);
#   - after <idleMs> without a client connection or a live process that
#     uses the database (an empty file users/<pid>, written by the CLI).
# When PostgreSQL ends by itself, it removes the state file and ends (1).
#
# Usage: sh local-database-watch.sh <postmasterPid> <dataDir> <stateFile> <instanceId> <idleSeconds> <idleMs>
set -u
# First of all: a stop asked for as soon as the state file names this process is kept for the loop below.
stop_reason=
trap 'stop_reason=SIGTERM' TERM
trap 'stop_reason=SIGINT' INT
trap 'stop_reason=SIGHUP' HUP

postmaster=$1 data_dir=$2 state_file=$3 instance_id=$4 idle_seconds=$5 idle_ms=$6
users_dir=${state_file%/*}/users

# Looks for clients every 5 s, or four times in a shorter idle time; for the rest, every second.
check_ms=$((idle_ms / 4))
[ "$check_ms" -gt 5000 ] && check_ms=5000
[ "$check_ms" -lt 100 ] && check_ms=100
tick_ms=$check_ms
[ "$tick_ms" -gt 1000 ] && tick_ms=1000
tick=$((tick_ms / 1000)).$(printf '%03d' $((tick_ms % 1000)))

log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
}

# Whether a process lives: a zombie (ended, not reaped yet) does not. Linux
# says a process's state in /proc/<pid>/stat after its name in parentheses.
alive() {
  if [ -d /proc/self ]; then
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    rest=${stat##*) }
    [ "${rest%% *}" != Z ]
  else
    kill -0 "$1" 2>/dev/null || ps -p "$1" >/dev/null 2>&1
  fi
}

# Whether the data directory is still this postmaster's: its lock file names it.
holds_data_dir() {
  read -r holder 2>/dev/null <"$data_dir/postmaster.pid" || return 1
  [ "$holder" = "$postmaster" ]
}

# How many clients are connected: the postmaster's children whose process
# title names a client's address (the server listens on 127.0.0.1 only):
# from /proc on Linux, through pgrep elsewhere.
client_count() {
  children=/proc/$postmaster/task/$postmaster/children
  if [ -r "$children" ]; then
    # The list ends with no newline, so read reports an end of file: what it read stands.
    pids=
    read -r pids 2>/dev/null <"$children"
    set --
    for pid in $pids; do set -- "$@" "/proc/$pid/cmdline"; done
    if [ $# -eq 0 ]; then echo 0; else grep -l -F '127.0.0.1(' "$@" 2>/dev/null | wc -l; fi
  else
    pgrep -P "$postmaster" -f '127\.0\.0\.1\(' 2>/dev/null | wc -l
  fi
}

# Whether a process that uses the database lives; the files of those that ended go.
has_live_users() {
  live=1
  for file in "$users_dir"/*; do
    [ -e "$file" ] || continue
    name=${file##*/}
    case $name in
      '' | *[!0-9]*) rm -f "$file" ;;
      *) if alive "$name"; then live=0; else rm -f "$file"; fi ;;
    esac
  done
  return $live
}

remove_state_if_own() {
  if grep -q -F "\"instanceId\":\"$instance_id\"" "$state_file" 2>/dev/null; then
    rm -f "$state_file"
  else
    log "leaving $state_file alone: it is gone, or names another server"
  fi
}

stop() {
  log "stopping: $1"
  waited=0
  [ -n "${sleeper:-}" ] && kill "$sleeper" 2>/dev/null
  alive "$postmaster" && kill -INT "$postmaster" 2>/dev/null
  while alive "$postmaster"; do
    [ "$waited" -eq 10000 ] && kill -KILL "$postmaster" 2>/dev/null
    sleep 0.01
    waited=$((waited + 10))
  done
  remove_state_if_own
  exit 0
}

# PostgreSQL writes its lock file within milliseconds of its start; from then
# on, the data directory must stay its own.
until holds_data_dir; do
  if ! alive "$postmaster"; then
    log 'PostgreSQL ended as it started'
    exit 1
  fi
  [ -n "$stop_reason" ] && stop "$stop_reason"
  sleep 0.01
done

now=0 last_check=0 last_client_at=0 last_user_at=0 said_clients='' said_users=''
log "watching PostgreSQL $postmaster (this is pid $$): stops after ${idle_seconds}s without clients"
while :; do
  [ -n "$stop_reason" ] && stop "$stop_reason"
  # In the background, so that a signal ends the wait at once.
  sleep "$tick" &
  sleeper=$!
  wait "$sleeper"
  [ -n "$stop_reason" ] && stop "$stop_reason"
  now=$((now + tick_ms))
  if ! alive "$postmaster"; then
    log 'PostgreSQL ended'
    remove_state_if_own
    exit 1
  fi
  holds_data_dir || stop 'the data directory is gone or replaced'
  [ $((now - last_check)) -lt "$check_ms" ] && continue
  last_check=$now
  clients=$(($(client_count) + 0))
  if [ "$clients" -gt 0 ]; then
    last_client_at=$now
    said_users=
  fi
  if has_live_users; then
    last_user_at=$now
    said_clients=
  fi
  quiet_since=$last_client_at
  [ "$last_user_at" -gt "$quiet_since" ] && quiet_since=$last_user_at
  if [ $((now - quiet_since)) -gt "$idle_ms" ]; then
    stop "idle for ${idle_seconds}s"
  elif [ "$clients" -gt 0 ] && [ $((now - last_user_at)) -gt "$idle_ms" ] && [ -z "$said_clients" ]; then
    log "no process that uses it for ${idle_seconds}s, kept running: a client is connected"
    said_clients=1
  elif [ "$last_user_at" -eq "$now" ] && [ $((now - last_client_at)) -gt "$idle_ms" ] && [ -z "$said_users" ]; then
    log "no clients for ${idle_seconds}s, kept running: a process that uses it lives"
    said_users=1
  fi
done
