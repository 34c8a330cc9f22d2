/* table: one table of typed cells, printed for people (text, Markdown) or scripts (JSON, CSV). */
#ifndef MASTRACE_TABLE_H
#define MASTRACE_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#define TABLE_MAX_COLS 24
#define TABLE_STR_MAX 1100		/* room for a whole error message in a cell */

enum table_format { TABLE_TEXT, TABLE_JSON, TABLE_CSV, TABLE_MARKDOWN };

/*
 * How a cell reads.  For people (text, Markdown) numbers are grouped and
 * carry their unit; for scripts (JSON, CSV) they are plain numbers.
 */
enum table_kind {
	TABLE_NONE,		/* empty: "-" for people, null or nothing for scripts */
	TABLE_STR,
	TABLE_INT,		/* 1,234 / 1234 */
	TABLE_COUNT,		/* 1234 for everyone */
	TABLE_DELTA,		/* +1,234, -1,234 or 0 / -1234 */
	TABLE_F1,		/* 12.3 */
	TABLE_F3,		/* 12.345 */
	TABLE_F3_DELTA,		/* +12.345 / 12.345 */
	TABLE_PCT,		/* 12.3% / 12.35 */
	TABLE_X,		/* 1.23x / 1.2345 */
};

struct table_cell {
	enum table_kind kind;
	double v;
	char s[TABLE_STR_MAX];
};

struct table_col {
	const char *key;		/* JSON and CSV name */
	const char *title;		/* text and Markdown heading */
	unsigned width;			/* text: at least this many characters */
	bool left;			/* text: align left (words), else right (numbers) */
};

/*
 * The columns are the caller's (static tables, usually); rows grow on
 * the heap.  Text separates columns by `sep` ("  " unless set) and a
 * last column aligned left ends its lines without trailing blanks unless
 * `pad_last`.
 */
struct table {
	struct table_col col[TABLE_MAX_COLS];
	unsigned ncols, nrows, cap;
	const char *sep;
	bool pad_last;
	struct table_cell *c;		/* [row][col] */
};

/*
 * Start a table of ncols columns from parallel key and title arrays; the
 * first column and those whose cells are words are aligned left (by the
 * first row) unless table_align() says otherwise.
 */
void table_init(struct table *t, unsigned ncols, const char *const *keys,
    const char *const *titles);
/* Fix a column's minimum width and alignment (text). */
void table_align(struct table *t, unsigned col, unsigned width, bool left);
/* A new empty row (every cell TABLE_NONE): its index, or -1 when memory ran out. */
int table_add_row(struct table *t);
void table_put(struct table *t, unsigned row, unsigned col, enum table_kind kind, double v);
void table_put_str(struct table *t, unsigned row, unsigned col, const char *s);
struct table_cell *table_cell(const struct table *t, unsigned row, unsigned col);
/*
 * Print in a format: text aligned, Markdown with pipes, CSV with a header
 * line, JSON as an array of objects (indented as a member of an object).
 */
void table_print(const struct table *t, enum table_format fmt, FILE *f);
void table_free(struct table *t);

/* "text", "json", "csv" or "markdown"; -1 for anything else. */
int table_format_named(const char *name, enum table_format *fmt);

#endif
