#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H
/* SwiftPM drops the -D flags pkg-config reports; without this the wide API does not import. */
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>

static inline WINDOW *cncurses_stdscr(void) { return stdscr; }
static inline int cncurses_lines(void) { return LINES; }
static inline int cncurses_cols(void) { return COLS; }
static inline int cncurses_colors(void) { return COLORS; }
static inline int cncurses_color_pairs(void) { return COLOR_PAIRS; }
static inline int cncurses_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline attr_t cncurses_a_bold(void) { return A_BOLD; }
static inline attr_t cncurses_a_reverse(void) { return A_REVERSE; }
static inline attr_t cncurses_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cncurses_a_dim(void) { return A_DIM; }
static inline attr_t cncurses_a_normal(void) { return A_NORMAL; }
static inline int cncurses_key_resize(void) { return KEY_RESIZE; }
/* The width ncurses itself gives a code point; glibc declares wcwidth only under _XOPEN_SOURCE. */
extern int wcwidth(wchar_t c);
static inline int cncurses_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }
/* stdout is a C global Swift 6 will not touch; progress lines must not sit in a pipe's buffer. */
static inline void cncurses_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
#endif
