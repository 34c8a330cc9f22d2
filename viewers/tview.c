/* tview: window and cursor arithmetic of the timeline, kept apart from curses so that tests reach it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "num.h"
#include "tview.h"

void
tview_clamp(struct tview *v)
{
	uint64_t w = v->t1 > v->t0 ? v->t1 - v->t0 : 1;

	if (w < v->tw)
		w = v->tw;
	if (w > v->span)
		w = v->span;
	if (v->t0 + w > v->span)
		v->t0 = v->span - w;
	v->t1 = v->t0 + w;
	if (v->cur < v->t0)
		v->cur = v->t0;
	if (v->cur >= v->t1)
		v->cur = v->t1 - 1;
}

uint64_t
tview_col_start(const struct tview *v, unsigned i)
{
	return v->t0 + (uint64_t)((unsigned __int128)(v->t1 - v->t0) * i / v->tw);
}

unsigned
tview_col_of(const struct tview *v, uint64_t t)
{
	if (t <= v->t0)
		return 0;
	if (t >= v->t1)
		return v->tw - 1;
	return (unsigned)((unsigned __int128)(t - v->t0) * v->tw / (v->t1 - v->t0));
}

void
tview_zoom(struct tview *v, bool in)
{
	uint64_t w = v->t1 - v->t0, nw = in ? w / 2 : w * 2, off = v->cur - v->t0;
	uint64_t noff = (uint64_t)((unsigned __int128)off * nw / (w ? w : 1));

	if (nw < v->tw)
		nw = v->tw;
	if (nw > v->span)
		nw = v->span;
	v->t0 = v->cur > noff ? v->cur - noff : 0;
	v->t1 = v->t0 + nw;
	tview_clamp(v);
}

void
tview_move_cursor(struct tview *v, int cols)
{
	/* tview_clamp() keeps a column at least a cycle wide */
	uint64_t w = v->t1 - v->t0, d = w / v->tw * (uint64_t)(cols < 0 ? -cols : cols);

	if (cols < 0) {
		v->cur = v->cur > d ? v->cur - d : 0;
		if (v->cur < v->t0)
			v->t0 = v->cur > w / 4 ? v->cur - w / 4 : 0;
	} else {
		v->cur = v->cur + d < v->span ? v->cur + d : v->span - 1;
		if (v->cur >= v->t1)
			v->t0 = v->cur + w / 4 >= w ? v->cur + w / 4 - w + 1 : 0;
	}
	v->t1 = v->t0 + w;
	tview_clamp(v);
}

void
tview_pan(struct tview *v, bool left)
{
	uint64_t w = v->t1 - v->t0, d = w / 2;

	if (left) {
		v->t0 = v->t0 > d ? v->t0 - d : 0;
		v->cur = v->cur > d ? v->cur - d : 0;
	} else {
		v->t0 += d;
		v->cur += d;
	}
	v->t1 = v->t0 + w;
	tview_clamp(v);
}

void
tview_home(struct tview *v)
{
	uint64_t w = v->t1 - v->t0;

	v->cur = v->t0 = 0;
	v->t1 = w;
	tview_clamp(v);
}

void
tview_end(struct tview *v)
{
	uint64_t w = v->t1 - v->t0;

	v->t1 = v->span;
	v->t0 = v->span - w;
	v->cur = v->span - 1;
	tview_clamp(v);
}

void
tview_go(struct tview *v, uint64_t t)
{
	uint64_t w = v->t1 - v->t0;

	v->cur = t;
	if (t < v->t0 || t >= v->t1) {
		v->t0 = t > w / 2 ? t - w / 2 : 0;
		v->t1 = v->t0 + w;
	}
	tview_clamp(v);
}

bool
tview_matches(const char *query, const struct isa_instr *in)
{
	char q[64], unit[8], *tok, *save = NULL;
	uint64_t x;

	snprintf(q, sizeof q, "%s", query);
	isa_unit_name(in->unit, unit, sizeof unit);
	for (tok = strtok_r(q, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		if (eq == NULL) {
			if (strcmp(tok, isa_op_name(in->op)) != 0 && strcmp(tok, unit) != 0)
				return false;
			continue;
		}
		*eq = '\0';
		if (strcmp(tok, "op") == 0 || strcmp(tok, "unit") == 0) {
			if (strcmp(eq + 1, tok[0] == 'o' ? isa_op_name(in->op) : unit) != 0)
				return false;
			continue;
		}
		if (num_parse_u64(eq + 1, &x) != 0)
			return false;
		if ((strcmp(tok, "b") == 0 && in->b != x) || (strcmp(tok, "h") == 0 && in->h != x) ||
		    (strcmp(tok, "rb") == 0 && in->rb != x) || (strcmp(tok, "cb") == 0 && in->cb != x) ||
		    (strcmp(tok, "id") == 0 && in->id != x))
			return false;
	}
	return true;
}
