// shim.h — libedit's readline-compatible API for Swift, plus setters and getters for the
// readline globals gashell uses: Swift 6 refuses to touch mutable C globals directly.
#include <stdio.h>
#include <editline/readline.h>

/// Program name for `~/.editrc` lines of the form `gashell:bind ...`; set before rl_initialize.
/// `name` must live for the whole program.
static inline void gashell_rl_set_readline_name(const char *name) { rl_readline_name = name; }

/// Words for completion end at blanks only, so paths with `=`, `@`, `(` complete whole.
static inline void gashell_rl_break_words_at_blanks(void) { rl_basic_word_break_characters = " \t\n"; }

static inline void gashell_rl_set_attempted_completion_function(rl_completion_func_t *function) {
  rl_attempted_completion_function = function;
}

/// 1: our function's answer is final, no fallback to filename completion when it returns NULL.
static inline void gashell_rl_set_attempted_completion_over(int over) { rl_attempted_completion_over = over; }

/// Appended after a single completion: ' ' after a word, '/' after a directory.
static inline void gashell_rl_set_completion_append_character(int c) { rl_completion_append_character = c; }

/// The line being edited (UTF-8) and the cursor in bytes; valid inside a completion callback.
static inline const char *gashell_rl_line_buffer(void) { return rl_line_buffer; }
static inline int gashell_rl_point(void) { return rl_point; }

static inline FILE *gashell_stdin(void) { return stdin; }
