/* table: typed cells printed as aligned text, Markdown, JSON or CSV. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "json.h"
#include "num.h"
#include "table.h"

void
table_init(struct table *t, unsigned ncols, const char *const *keys, const char *const *titles)
{
	unsigned i;

	memset(t, 0, sizeof *t);
	t->ncols = ncols < TABLE_MAX_COLS ? ncols : TABLE_MAX_COLS;
	t->sep = "  ";
	for (i = 0; i < t->ncols; i++) {
		t->col[i].key = keys[i];
		t->col[i].title = titles[i];
	}
}

/* Columns whose alignment was fixed keep it for every cell. */
#define FIXED_WIDTH_OR_ALIGN(c) ((c)->width > 0)

void
table_align(struct table *t, unsigned col, unsigned width, bool left)
{
	if (col < t->ncols) {
		t->col[col].width = width ? width : 1;
		t->col[col].left = left;
	}
}

struct table_cell *
table_cell(const struct table *t, unsigned row, unsigned col)
{
	return &t->c[(size_t)row * t->ncols + col];
}

int
table_add_row(struct table *t)
{
	if (t->nrows == t->cap) {
		unsigned cap = t->cap ? t->cap * 2 : 16;
		struct table_cell *c = realloc(t->c, (size_t)cap * t->ncols * sizeof *c);
		if (c == NULL)
			return -1;
		t->c = c;
		t->cap = cap;
	}
	memset(&t->c[(size_t)t->nrows * t->ncols], 0, t->ncols * sizeof *t->c);
	return (int)t->nrows++;
}

void
table_put(struct table *t, unsigned row, unsigned col, enum table_kind kind, double v)
{
	struct table_cell *c = table_cell(t, row, col);

	c->kind = kind;
	c->v = v;
}

void
table_put_str(struct table *t, unsigned row, unsigned col, const char *s)
{
	struct table_cell *c = table_cell(t, row, col);
	size_t n = strlen(s);

	c->kind = TABLE_STR;
	if (n >= sizeof c->s)
		n = sizeof c->s - 1;
	memcpy(c->s, s, n);
	c->s[n] = '\0';
}

void
table_free(struct table *t)
{
	free(t->c);
	t->c = NULL;
	t->nrows = t->cap = 0;
}

int
table_format_named(const char *name, enum table_format *fmt)
{
	static const char *const names[] = { "text", "json", "csv", "markdown" };
	unsigned i;

	for (i = 0; i < ARRAY_LEN(names); i++)
		if (strcmp(name, names[i]) == 0) {
			*fmt = (enum table_format)i;
			return 0;
		}
	return -1;
}

/* A signed whole number for people: "+1,234", "-1,234" or "0". */
static void
delta_text(double v, char *buf, size_t len)
{
	char g[NUM_TEXT_MAX];

	snprintf(buf, len, "%s%s", v < 0 ? "-" : v > 0 ? "+" : "", num_group((uint64_t)fabs(v), g));
}

/* The text of a cell: for people (grouped digits, units) or for scripts. */
static const char *
show(const struct table_cell *c, bool people, char *buf, size_t len)
{
	char g[NUM_TEXT_MAX];

	switch (c->kind) {
	case TABLE_NONE: snprintf(buf, len, "%s", people ? "-" : ""); break;
	case TABLE_STR: snprintf(buf, len, "%s", c->s); break;
	case TABLE_INT:
		if (people)
			snprintf(buf, len, "%s", num_group((uint64_t)c->v, g));
		else
			snprintf(buf, len, "%.0f", c->v);
		break;
	case TABLE_COUNT: snprintf(buf, len, "%.0f", c->v); break;
	case TABLE_DELTA:
		if (people)
			delta_text(c->v, buf, len);
		else
			snprintf(buf, len, "%.0f", c->v);
		break;
	case TABLE_F1: snprintf(buf, len, "%.1f", c->v); break;
	case TABLE_F3: snprintf(buf, len, "%.3f", c->v); break;
	case TABLE_F3_DELTA: snprintf(buf, len, people ? "%+.3f" : "%.3f", c->v); break;
	case TABLE_PCT: snprintf(buf, len, people ? "%.1f%%" : "%.2f", c->v); break;
	case TABLE_X: snprintf(buf, len, people ? "%.2fx" : "%.4f", c->v); break;
	}
	return buf;
}

static void
csv_field(const char *s, FILE *f)
{
	if (strpbrk(s, ",\"\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
print_csv(const struct table *t, FILE *f)
{
	char buf[TABLE_STR_MAX + 100];
	unsigned r, c;

	for (c = 0; c < t->ncols; c++)
		fprintf(f, "%s%s", c ? "," : "", t->col[c].key);
	fputc('\n', f);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', f);
			csv_field(show(table_cell(t, r, c), false, buf, sizeof buf), f);
		}
		fputc('\n', f);
	}
}

static void
print_json(const struct table *t, FILE *f)
{
	char buf[TABLE_STR_MAX + 100];
	unsigned r, c;

	fputs("[\n", f);
	for (r = 0; r < t->nrows; r++) {
		fputs("    {", f);
		for (c = 0; c < t->ncols; c++) {
			const struct table_cell *x = table_cell(t, r, c);
			fprintf(f, "%s\"%s\": ", c ? ", " : "", t->col[c].key);
			if (x->kind == TABLE_NONE)
				fputs("null", f);
			else if (x->kind == TABLE_STR)
				json_string(f, x->s);
			else
				fputs(show(x, false, buf, sizeof buf), f);
		}
		fprintf(f, "}%s\n", r + 1 < t->nrows ? "," : "");
	}
	fputs("  ]", f);
}

/*
 * Whether a cell is aligned left: its column's fixed alignment, or by
 * what it holds (the first column and words left, numbers right); a
 * heading goes by its column's first row.
 */
static bool
left_of(const struct table *t, unsigned row, unsigned c)
{
	if (FIXED_WIDTH_OR_ALIGN(&t->col[c]))
		return t->col[c].left;
	return c == 0 || (t->nrows > row && table_cell(t, row, c)->kind == TABLE_STR);
}

/* One line of text or Markdown; cells[c] is the text of column c. */
static void
print_line(const struct table *t, enum table_format fmt, const unsigned *w, const bool *left,
    const char *const *cells, FILE *f)
{
	unsigned c;

	for (c = 0; c < t->ncols; c++) {
		int width = left[c] ? -(int)w[c] : (int)w[c];
		if (fmt == TABLE_MARKDOWN)
			fprintf(f, "| %*s ", width, cells[c]);
		else if (c + 1 == t->ncols && left[c] && !t->pad_last)
			fprintf(f, "%s%s", c ? t->sep : "", cells[c]);	/* no trailing blanks */
		else
			fprintf(f, "%s%*s", c ? t->sep : "", width, cells[c]);
	}
	fputs(fmt == TABLE_MARKDOWN ? "|\n" : "\n", f);
}

static void
print_aligned(const struct table *t, enum table_format fmt, FILE *f)
{
	char buf[TABLE_MAX_COLS][TABLE_STR_MAX + 100];	/* about 29 KB of stack */
	const char *cells[TABLE_MAX_COLS];
	unsigned r, c, w[TABLE_MAX_COLS];
	bool left[TABLE_MAX_COLS];

	for (c = 0; c < t->ncols; c++) {
		w[c] = (unsigned)strlen(t->col[c].title);
		if (w[c] < t->col[c].width)
			w[c] = t->col[c].width;
		for (r = 0; r < t->nrows; r++) {
			unsigned n = (unsigned)strlen(show(table_cell(t, r, c), true, buf[c],
			    sizeof buf[c]));
			if (n > w[c])
				w[c] = n;
		}
		left[c] = left_of(t, 0, c);
		cells[c] = t->col[c].title;
	}
	print_line(t, fmt, w, left, cells, f);
	if (fmt == TABLE_MARKDOWN) {
		for (c = 0; c < t->ncols; c++) {
			fputs(left[c] ? "|:" : "|-", f);
			for (r = 0; r < w[c]; r++)
				fputc('-', f);
			fputs(left[c] ? "-" : ":", f);
		}
		fputs("|\n", f);
	}
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			cells[c] = show(table_cell(t, r, c), true, buf[c], sizeof buf[c]);
			left[c] = left_of(t, r, c);
		}
		print_line(t, fmt, w, left, cells, f);
	}
}

void
table_print(const struct table *t, enum table_format fmt, FILE *f)
{
	switch (fmt) {
	case TABLE_CSV: print_csv(t, f); break;
	case TABLE_JSON: print_json(t, f); break;
	case TABLE_TEXT: case TABLE_MARKDOWN: print_aligned(t, fmt, f); break;
	}
}
