#!/usr/bin/env bash
# process-check.sh BINARY — what gashell does as a process, where no in-process test reaches:
# a closed standard output, SIGTERM and SIGHUP in the middle of training, and files that
# would block an open (fifos). Prints one `ok` line a check; exits non-zero at the first failure.
set -uo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 BINARY    (e.g. $0 .build/debug/gashell)" >&2
  exit 2
fi
GASHELL=$1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gashell-process.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
step=0
ok()   { step=$((step + 1)); echo "ok $step - $1"; }
fail() { echo "FAIL $((step + 1)) - $1" >&2; shift; printf '  %s\n' "$@" >&2; exit 1; }

# A closed pipe: `| head -1` reads one line and goes; gashell must stop quietly with status 1
# (with SIGPIPE's default action it died with 141).
"$GASHELL" -c 'load fashion train 512 test 128; model mlp 32; train 3' 2>"$WORK/stderr" | head -1 >/dev/null
status=${PIPESTATUS[0]}
[ "$status" = 1 ] || fail "a closed standard output ends gashell with status 1" "status $status"
[ ! -s "$WORK/stderr" ] || fail "a closed standard output ends gashell quietly" "stderr: $(head -c 300 "$WORK/stderr")"
ok "a closed standard output (| head -1) ends gashell quietly with status 1"

# SIGTERM and SIGHUP during train: it stops at a micro-batch as on Ctrl-C, says where, and exits 128 + N.
for signal in TERM:143 HUP:129; do
  name=${signal%:*} expected=${signal#*:}
  "$GASHELL" -c 'load fashion train 6000 test 100; model mlp 64; train 1000000 steps' >"$WORK/out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q '^Epoch 2' "$WORK/out" && break; sleep 0.1; done
  grep -q '^Epoch 2' "$WORK/out" || fail "training reached epoch 2 before SIG$name" "$(tail -5 "$WORK/out")"
  kill -"$name" "$pid"
  wait "$pid"; status=$?
  [ "$status" = "$expected" ] || fail "SIG$name during train exits with $expected" "status $status" "$(tail -3 "$WORK/out")"
  grep -q '^interrupted at epoch' "$WORK/out" || fail "SIG$name stops train at a micro-batch" "$(tail -3 "$WORK/out")"
  ok "SIG$name during train stops at a micro-batch and exits with status $expected"
done

# Files that would block the open for ever: refused with one error line, at once.
mkfifo "$WORK/fifo"
for command in "load weights $WORK/fifo" "load state $WORK/fifo"; do
  timeout 20 "$GASHELL" -c "model mlp 8; $command" >"$WORK/out" 2>&1; status=$?
  [ "$status" = 1 ] || fail "'$command' is an error, not a hang" "status $status (124: timed out)" "$(tail -2 "$WORK/out")"
  grep -q "error: .*fifo" "$WORK/out" || fail "'$command' says it is a fifo" "$(tail -2 "$WORK/out")"
  ok "'$(echo "$command" | sed "s|$WORK/||")' refuses the fifo with one error line"
done
timeout 20 "$GASHELL" "$WORK/fifo" >"$WORK/out" 2>&1; status=$?
[ "$status" = 1 ] && grep -q "not a regular file" "$WORK/out" || fail "a fifo as the script is refused" "status $status" "$(cat "$WORK/out")"
ok "a fifo as the script is refused"
timeout 20 "$GASHELL" --check "$WORK/fifo" >"$WORK/out" 2>&1; status=$?
[ "$status" = 1 ] && grep -q "not a regular file" "$WORK/out" || fail "a fifo given to --check is refused" "status $status" "$(cat "$WORK/out")"
ok "a fifo given to --check is refused"

# A temporary file left by a process killed mid-save is removed by the next save of that file.
true & dead=$!; wait "$dead"                       # a process id that no longer runs
printf 'stale' > "$WORK/.w.safetensors.$dead-12345.tmp"
printf 'alive' > "$WORK/.w.safetensors.$$-12345.tmp"  # this script's: a live writer's, kept
"$GASHELL" -c "model mlp 8; save weights $WORK/w.safetensors" >/dev/null 2>&1 || fail "save weights works"
[ ! -e "$WORK/.w.safetensors.$dead-12345.tmp" ] || fail "a dead process's temporary file is cleaned by the next save" "$(ls -a "$WORK")"
[ -e "$WORK/.w.safetensors.$$-12345.tmp" ] || fail "a live process's temporary file is left alone"
ok "the next save removes a dead process's temporary file"

echo "process-check: all $step checks passed"
