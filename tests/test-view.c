/* test-view: the timeline's view model: window, cursor, zoom, pan, search, without a terminal. */
#include "config.h"

#include <string.h>

#include "cunit-main.h"
#include "tview.h"

static struct tview
view(uint64_t span, uint64_t t0, uint64_t t1, uint64_t cur, unsigned tw)
{
	struct tview v = { span, t0, t1, cur, tw };

	tview_clamp(&v);
	return v;
}

/* What every move keeps. */
static void
check_rules(const struct tview *v)
{
	uint64_t w = v->t1 - v->t0;

	CU_ASSERT(v->t0 < v->t1);
	CU_ASSERT(v->t1 <= v->span);
	CU_ASSERT(v->t0 <= v->cur && v->cur < v->t1);
	CU_ASSERT(w >= (v->tw < v->span ? v->tw : v->span));
}

static void
test_clamp(void)
{
	struct tview v = view(1000, 0, 1000, 0, 100);

	check_rules(&v);
	CU_ASSERT_EQUAL(v.t1, 1000);
	/* a window past the end slides back; a cursor outside comes in */
	v = view(1000, 950, 1100, 2000, 100);
	CU_ASSERT_EQUAL(v.t0, 850);
	CU_ASSERT_EQUAL(v.t1, 1000);
	CU_ASSERT_EQUAL(v.cur, 999);
	/* never narrower than a cycle a column, or wider than the span */
	v = view(1000, 10, 20, 15, 100);
	CU_ASSERT_EQUAL(v.t1 - v.t0, 100);
	v = view(50, 0, 1000, 10, 100);
	CU_ASSERT_EQUAL(v.t0, 0);
	CU_ASSERT_EQUAL(v.t1, 50);
}

static void
test_columns(void)
{
	struct tview v = view(1000, 0, 1000, 0, 100);
	unsigned c;

	CU_ASSERT_EQUAL(tview_col_start(&v, 0), 0);
	CU_ASSERT_EQUAL(tview_col_start(&v, 7), 70);
	CU_ASSERT_EQUAL(tview_col_of(&v, 0), 0);
	CU_ASSERT_EQUAL(tview_col_of(&v, 999), 99);
	CU_ASSERT_EQUAL(tview_col_of(&v, 5000), 99);
	for (c = 0; c < 100; c++)
		CU_ASSERT_EQUAL(tview_col_of(&v, tview_col_start(&v, c)), c);
	/* a window of 2^62 cycles does not overflow */
	v = view(1ull << 62, 0, 1ull << 62, 0, 97);
	CU_ASSERT_EQUAL(tview_col_of(&v, (1ull << 62) - 1), 96);
	CU_ASSERT(tview_col_start(&v, 96) < 1ull << 62);
}

static void
test_zoom(void)
{
	struct tview v = view(1000, 0, 1000, 500, 100);
	unsigned col = tview_col_of(&v, v.cur);

	tview_zoom(&v, true);
	CU_ASSERT_EQUAL(v.t1 - v.t0, 500);
	CU_ASSERT_EQUAL(tview_col_of(&v, v.cur), col);	/* the cursor keeps its column */
	check_rules(&v);
	tview_zoom(&v, true);
	tview_zoom(&v, true);
	CU_ASSERT_EQUAL(v.t1 - v.t0, 125);
	tview_zoom(&v, true);	/* at most a cycle a column */
	CU_ASSERT_EQUAL(v.t1 - v.t0, 100);
	tview_zoom(&v, true);
	CU_ASSERT_EQUAL(v.t1 - v.t0, 100);
	check_rules(&v);
	while (v.t1 - v.t0 < v.span)
		tview_zoom(&v, false);
	CU_ASSERT_EQUAL(v.t0, 0);
	CU_ASSERT_EQUAL(v.t1, 1000);
	CU_ASSERT_EQUAL(v.cur, 500);
}

static void
test_cursor_and_pan(void)
{
	struct tview v = view(10000, 0, 1000, 0, 100);

	tview_move_cursor(&v, 3);
	CU_ASSERT_EQUAL(v.cur, 30);
	CU_ASSERT_EQUAL(v.t0, 0);
	/* past the right edge: the window follows, the cursor a quarter in from its right */
	v.cur = 995;
	tview_move_cursor(&v, 1);
	CU_ASSERT_EQUAL(v.cur, 1005);
	CU_ASSERT_EQUAL(v.t1 - v.t0, 1000);
	CU_ASSERT_EQUAL(v.t1 - 1 - v.cur, 1000 / 4);
	check_rules(&v);
	tview_move_cursor(&v, -100000);	/* far left: the start */
	CU_ASSERT_EQUAL(v.cur, 0);
	CU_ASSERT_EQUAL(v.t0, 0);
	tview_pan(&v, false);
	CU_ASSERT_EQUAL(v.t0, 500);
	CU_ASSERT_EQUAL(v.cur, 500);
	tview_pan(&v, true);
	tview_pan(&v, true);
	CU_ASSERT_EQUAL(v.t0, 0);
	tview_end(&v);
	CU_ASSERT_EQUAL(v.t1, 10000);
	CU_ASSERT_EQUAL(v.cur, 9999);
	CU_ASSERT_EQUAL(v.t1 - v.t0, 1000);
	tview_home(&v);
	CU_ASSERT_EQUAL(v.t0, 0);
	CU_ASSERT_EQUAL(v.cur, 0);
	/* going somewhere outside the window centres it there */
	tview_go(&v, 7000);
	CU_ASSERT_EQUAL(v.cur, 7000);
	CU_ASSERT_EQUAL(v.t0, 6500);
	tview_go(&v, 7100);	/* inside: the window stays */
	CU_ASSERT_EQUAL(v.t0, 6500);
	check_rules(&v);
}

/* Any sequence of moves keeps the rules, whatever the sizes. */
static void
test_random_moves(void)
{
	uint64_t x = 88172645463325252ull;
	unsigned i, k;

	for (i = 0; i < 200; i++) {
		struct tview v;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		v = view(1 + x % (1ull << (x % 60)), 0, UINT64_MAX / 2, x % 1000, 10 + x % 300);
		check_rules(&v);
		for (k = 0; k < 100; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			switch (x % 7) {
			case 0: tview_zoom(&v, x & 8); break;
			case 1: tview_move_cursor(&v, (int)(x >> 8) % 50 - 25); break;
			case 2: tview_pan(&v, x & 8); break;
			case 3: tview_home(&v); break;
			case 4: tview_end(&v); break;
			case 5: tview_go(&v, (x >> 4) % v.span); break;
			default: v.tw = 10 + (unsigned)(x >> 9) % 500; tview_clamp(&v); break;
			}
			check_rules(&v);
		}
	}
}

static void
test_search(void)
{
	struct isa_instr in;

	memset(&in, 0, sizeof in);
	in.unit = ISA_UNIT_VEC;
	in.op = ISA_OP_VEXP;
	in.b = 0;
	in.h = 3;
	in.rb = 64;
	in.id = 42;
	CU_ASSERT(tview_matches("", &in));
	CU_ASSERT(tview_matches("vexp", &in));
	CU_ASSERT(tview_matches("vec", &in));
	CU_ASSERT(tview_matches("op=vexp unit=vec h=3 rb=64 id=42", &in));
	CU_ASSERT(!tview_matches("vmax", &in));
	CU_ASSERT(!tview_matches("vexp h=2", &in));
	CU_ASSERT(!tview_matches("unit=mac", &in));
	CU_ASSERT(!tview_matches("h=x", &in));
	CU_ASSERT(tview_matches("  vexp   h=3  ", &in));
}

int
main(void)
{
	static const struct test_case cases[] = {
		{ "the window and the cursor stay inside the span", test_clamp },
		{ "columns and cycles map both ways", test_columns },
		{ "zoom keeps the cursor's column, to a cycle a column", test_zoom },
		{ "cursor moves, pans, home, end and go", test_cursor_and_pan },
		{ "random moves keep every rule", test_random_moves },
		{ "search queries", test_search },
		{ NULL, NULL },
	};

	return cunit_run("view", cases);
}
