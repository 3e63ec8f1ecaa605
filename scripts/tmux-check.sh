#!/usr/bin/env bash
# tmux-check.sh BINARY — drives the interactive gashell in a private tmux server as a person
# would (typing, Tab, Up, Ctrl-C, Ctrl-D, quit), reads the screen with capture-pane, and
# exits non-zero with a message and the screen at the first check that fails.
#
# Environment: TMUX_CHECK_TIMEOUT seconds to wait for each screen state (default 20; loading
# data gets three times that). The user's ~/.editrc is replaced by an empty one so personal
# key bindings cannot change what is typed; history goes to a temporary GASHELL_HISTORY.
set -uo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BINARY    (e.g. $0 .build/release/gashell)" >&2
  exit 2
fi
if ! command -v tmux >/dev/null 2>&1; then
  echo "tmux-check: tmux is not installed (apt-get install tmux)" >&2
  exit 2
fi
if [ ! -x "$1" ] || [ -d "$1" ]; then
  echo "tmux-check: not an executable file: $1" >&2
  exit 2
fi
BINARY=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

TIMEOUT=${TMUX_CHECK_TIMEOUT:-20}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gashell-check.XXXXXX")
HISTORY_FILE=$WORK/history
SESSION=check
PROMPT_RE='^ga( [0-9]+/[0-9]+)?>'
TMUX_RUN=(tmux -S "$WORK/tmux.socket" -f /dev/null)  # a private server, killed on exit
unset TMUX                                             # even when run from inside tmux
case "${TERM:-dumb}" in dumb|unknown) export TERM=xterm ;; esac

cleanup() {
  "${TMUX_RUN[@]}" kill-server >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The pane runs gashell, then leaves a marker with its exit status and stays open.
: > "$WORK/editrc"
# Ctrl-C goes to the whole foreground process group, this wrapper included (and libedit
# passes a caught SIGINT, SIGTERM or SIGHUP on to the group once more): the wrapper traps them to survive, while
# gashell starts with the default disposition, as under an interactive shell.
# The history file can be swapped (for a fifo) by writing another path into $WORK/history-path.
echo "$HISTORY_FILE" > "$WORK/history-path"
cat > "$WORK/run.sh" <<EOF
#!/bin/sh
trap : INT TERM HUP
export TERM=screen GASHELL_HISTORY="\$(cat '$WORK/history-path')" EDITRC='$WORK/editrc' LC_ALL=C.UTF-8
cd '$WORK' || exit 1
'$BINARY'
echo "[gashell exited with status \$?]"
exec sleep 3600
EOF
chmod +x "$WORK/run.sh"

# ---- screen helpers -----------------------------------------------------------------------

# All lines so far, wrapped lines joined (-J), trailing spaces dropped (-J keeps them).
pane_text()   { "${TMUX_RUN[@]}" capture-pane -p -J -t "$SESSION" -S - 2>/dev/null | sed 's/[[:space:]]*$//'; }
last_line()   { pane_text | sed '/^$/d' | tail -n 1; }
cursor_x()    { "${TMUX_RUN[@]}" display-message -p -t "$SESSION" '#{cursor_x}' 2>/dev/null; }
prompts()     { pane_text | grep -Ec "$PROMPT_RE" ; }
exit_status() { pane_text | sed -n 's/^\[gashell exited with status \([0-9]*\)\]$/\1/p' | tail -n 1; }
exited()      { [ -n "$(exit_status)" ]; }

step=0
CURRENT=""
check() { step=$((step + 1)); CURRENT=$1; }
ok()    { echo "ok $step - $CURRENT"; }
fail() {
  echo "FAIL $step - $CURRENT" >&2
  echo "  $1" >&2
  echo "---- screen (last 30 lines) ----" >&2
  pane_text | sed '/^$/d' | tail -n 30 | sed 's/^/  | /' >&2
  echo "--------------------------------" >&2
  exit 1
}

# wait_until SECONDS DESCRIPTION COMMAND... — polls until COMMAND succeeds. Fails at once if
# gashell has exited (unless the check is waiting for exactly that), else after SECONDS.
wait_until() {
  local seconds=$1 description=$2; shift 2
  local deadline=$((SECONDS + seconds))
  while :; do
    if "$@"; then return 0; fi
    if [ "$WAITING_FOR_EXIT" = no ] && [ -n "$(exit_status)" ]; then
      fail "gashell exited (status $(exit_status)) while waiting for: $description"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "timed out after ${seconds}s waiting for: $description"
    fi
    sleep 0.2
  done
}
WAITING_FOR_EXIT=no

# The line being edited reads TEXT (capture-pane drops trailing spaces, so the cursor
# column, at the end of what was typed, tells whether TEXT's trailing space is there).
input_line_is() {
  local text=$1
  [ "$(last_line)" = "${text%"${text##*[! ]}"}" ] && [ "$(cursor_x)" = "${#text}" ]
}
expect_input_line() {
  wait_until "$TIMEOUT" "the input line to read '$1' (cursor after it)" input_line_is "$1"
}

# A fresh, empty prompt (cursor one space after the '>'), once more prompts than BEFORE
# have appeared on the screen.
new_prompt_after() {
  local before=$1 line
  line=$(last_line)
  [ "$(prompts)" -gt "$before" ] && printf '%s\n' "$line" | grep -Eq "$PROMPT_RE\$" &&
    [ "$(cursor_x)" = "$(( ${#line} + 1 ))" ]
}

# run COMMAND [SECONDS] — types COMMAND and Enter, waits for the next empty prompt.
run() {
  local before; before=$(prompts)
  "${TMUX_RUN[@]}" send-keys -t "$SESSION" -l "$1"
  "${TMUX_RUN[@]}" send-keys -t "$SESSION" Enter
  wait_until "${2:-$TIMEOUT}" "the prompt after '$1'" new_prompt_after "$before"
}

# Everything printed after the last input line that reads COMMAND.
output_of() {
  pane_text | awk -v cmd="$1" -v re="$PROMPT_RE" '
    { lines[NR] = $0 }
    $0 ~ re && substr($0, index($0, ">") + 2) == cmd { start = NR }
    END { if (start) for (i = start + 1; i <= NR; i++) print lines[i] }'
}

output_contains() { output_of "$1" | grep -Fq -- "$2"; }

expect_output() {
  output_contains "$1" "$2" || fail "the output of '$1' does not contain '$2'"
}

send() { "${TMUX_RUN[@]}" send-keys -t "$SESSION" "$@"; }

start_gashell() {
  "${TMUX_RUN[@]}" new-session -d -s "$SESSION" -x 120 -y 40 "'$WORK/run.sh'" ||
    fail "could not start tmux"
}

restart_gashell() {
  "${TMUX_RUN[@]}" kill-session -t "$SESSION" >/dev/null 2>&1
  start_gashell
  expect_input_line "ga> "
}

# The gashell process in the pane: the child of the pane's shell (run.sh).
gashell_pid() { pgrep -P "$("${TMUX_RUN[@]}" display-message -p -t "$SESSION" '#{pane_pid}')" -x "$(basename "$BINARY")"; }

# ---- the session --------------------------------------------------------------------------

echo "tmux-check: $BINARY"
start_gashell

check "gashell shows the prompt 'ga> '"
expect_input_line "ga> "; ok

check "help lists the commands, backward among them"
run "help"; expect_output "help" "backward"; ok

check "Tab completes a command: 'sho' → 'show '"
send -l "sho"; send Tab
expect_input_line "ga> show "; ok

check "Tab completes a sub-command: 'show se' → 'show settings'"
send -l "se"; send Tab
settings_completed() { [ "$(last_line)" = "ga> show settings" ] && [ "$(cursor_x)" -ge 17 ]; }
wait_until "$TIMEOUT" "the input line to read 'ga> show settings'" settings_completed
before=$(prompts); send Enter
wait_until "$TIMEOUT" "the prompt after 'show settings'" new_prompt_after "$before"; ok

check "load fashion train 600 test 100, then model mlp 64"
run "load fashion train 600 test 100" $((3 * TIMEOUT))
run "model mlp 64"; ok

check "set batch 16, set accumulate 4"
run "set batch 16"
run "set accumulate 4"; ok

check "backward accumulates micro-batch 1 of 4 and the prompt shows the window"
run "backward"
expect_output "backward" "micro-batch 1 of 4"
expect_input_line "ga 1/4> "; ok

check "Up recalls the previous command"
send Up
expect_input_line "ga 1/4> backward"; ok

check "Ctrl-C clears the typed line and shows a fresh prompt"
before=$(prompts); send C-c
wait_until "$TIMEOUT" "a fresh prompt after Ctrl-C" new_prompt_after "$before"
expect_input_line "ga 1/4> "
# The cleared text must be gone from the editing buffer too, not just from the screen.
run "help"; expect_output "help" "backward"; ok

check "Ctrl-C during train stops it at a micro-batch and the prompt comes back"
before=$(prompts)
send -l "train 1000000 steps"; send Enter
epoch_two_started() { output_contains "train 1000000 steps" "Epoch 2"; }
wait_until "$TIMEOUT" "'Epoch 2' after 'train 1000000 steps'" epoch_two_started
send C-c
wait_until "$TIMEOUT" "the prompt after Ctrl-C during train" new_prompt_after "$before"
expect_output "train 1000000 steps" "interrupted at epoch"
run "show loss"; expect_output "show loss" "position: epoch"; ok

check "Ctrl-D exits with status 0"
WAITING_FOR_EXIT=yes
send C-d
wait_until "$TIMEOUT" "gashell to exit" exited
[ "$(exit_status)" = 0 ] || fail "gashell exited with status $(exit_status)"
WAITING_FOR_EXIT=no; ok

check "the history file (\$GASHELL_HISTORY) holds the commands typed"
[ -s "$HISTORY_FILE" ] || fail "no history written to $HISTORY_FILE"
for command in "help" "show settings" "load fashion train 600 test 100" "model mlp 64" \
               "set batch 16" "set accumulate 4" "backward" "train 1000000 steps" "show loss"; do
  grep -Fxq -- "$command" "$HISTORY_FILE" ||
    fail "'$command' is not a line of the history file; it holds: $(head -c 400 "$HISTORY_FILE")"
done
ok

check "a new session recalls the last command with Up, and 'quit' exits"
"${TMUX_RUN[@]}" kill-session -t "$SESSION" >/dev/null 2>&1
start_gashell
expect_input_line "ga> "
send Up
expect_input_line "ga> show loss"
send C-u
expect_input_line "ga> "
ok

check "UTF-8 at the prompt: é and CJK typed into a file name reach the command and the history"
name="a b é 中文.ipynb"
run "save notebook \"$name\""
expect_output "save notebook \"$name\"" "notebook written to $name"
[ -f "$WORK/$name" ] || fail "no file '$name' in $WORK: $(ls "$WORK")"
grep -Fxq -- "save notebook \"$name\"" "$HISTORY_FILE" || fail "the history does not hold the command with é and 中文"
send -l "é中"; send Left; send BSpace   # one character back and one erased, not one byte
erased_by_character() { [ "$(last_line)" = "ga> 中" ] && [ "$(cursor_x)" = 4 ]; }
wait_until "$TIMEOUT" "the input line to read 'ga> 中', the cursor before 中" erased_by_character
send End; send C-u
expect_input_line "ga> "
WAITING_FOR_EXIT=yes
send -l "quit"; send Enter
wait_until "$TIMEOUT" "gashell to exit after quit" exited
[ "$(exit_status)" = 0 ] || fail "gashell exited with status $(exit_status) after quit"
WAITING_FOR_EXIT=no
grep -Fxq quit "$HISTORY_FILE" || fail "'quit' is not in the history file"
ok

check "SIGTERM at the prompt: history written, exit status 143"
restart_gashell
run "show settings"
WAITING_FOR_EXIT=yes
kill -TERM "$(gashell_pid)" || fail "no gashell process to signal"
wait_until "$TIMEOUT" "gashell to exit after SIGTERM" exited
[ "$(exit_status)" = 143 ] || fail "gashell exited with status $(exit_status) after SIGTERM, not 143"
WAITING_FOR_EXIT=no
[ "$(tail -n 1 "$HISTORY_FILE")" = "show settings" ] || fail "the history's last line is not 'show settings'"
ok

check "SIGHUP during train stops it at a micro-batch: exit status 129, no temporary file left"
restart_gashell
run "load fashion train 600 test 100" $((3 * TIMEOUT))
run "model mlp 64"
send -l "train 1000000 steps"; send Enter
wait_until "$TIMEOUT" "'Epoch 2' after 'train 1000000 steps'" epoch_two_started
WAITING_FOR_EXIT=yes
kill -HUP "$(gashell_pid)" || fail "no gashell process to signal"
wait_until "$TIMEOUT" "gashell to exit after SIGHUP" exited
[ "$(exit_status)" = 129 ] || fail "gashell exited with status $(exit_status) after SIGHUP, not 129"
WAITING_FOR_EXIT=no
expect_output "train 1000000 steps" "interrupted at epoch"
if ls -a "$WORK" | grep -q '\.tmp$'; then fail "a temporary file is left: $(ls -a "$WORK")"; fi
ok

check "GASHELL_HISTORY naming a fifo: a warning, and the prompt does not hang"
mkfifo "$WORK/fifo"
echo "$WORK/fifo" > "$WORK/history-path"
restart_gashell
pane_text | grep -Fq "is a named pipe (fifo), not a history file" || fail "no warning about the fifo"
run "help"; expect_output "help" "backward"
ok

echo "tmux-check: all $step checks passed"
