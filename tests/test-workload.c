/* Unit tests for workloads: presets, the -w spec parser, derived counts. */
#include "config.h"

#include <string.h>

#include "cunit-main.h"
#include "workload.h"

static void
expect_shape(const char *name, uint32_t b, uint32_t h, uint32_t s, uint32_t d)
{
	const struct wl_preset *p = wl_preset_find(name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->wl.batch, b);
	CU_ASSERT_EQUAL(p->wl.heads, h);
	CU_ASSERT_EQUAL(p->wl.q_len, s);
	CU_ASSERT_EQUAL(p->wl.k_len, s);
	CU_ASSERT_EQUAL(p->wl.d_qk, d);
	CU_ASSERT_EQUAL(p->wl.d_v, d);
	CU_ASSERT_EQUAL(p->wl.elem_bytes, 2);
	CU_ASSERT_STRING_EQUAL(p->wl.name, name);
}

static void
test_presets(void)
{
	struct errbuf e;
	size_t i;

	expect_shape("bert-small", 1, 8, 512, 64);
	expect_shape("bert-base", 1, 12, 512, 64);
	expect_shape("bert-large", 1, 16, 512, 64);
	expect_shape("vit-b14", 1, 12, 256, 64);
	expect_shape("vit-l14", 1, 16, 256, 64);
	expect_shape("vit-h14", 1, 16, 256, 80);
	expect_shape("vit-b16", 1, 12, 192, 64);
	expect_shape("vit-l16", 1, 16, 192, 64);
	expect_shape("vit-h16", 1, 16, 192, 80);
	expect_shape("trxl", 64, 16, 512, 64);
	expect_shape("t5", 64, 8, 512, 64);
	expect_shape("xlm", 64, 16, 512, 128);
	expect_shape("llama3-8b", 1, 32, 4096, 128);
	expect_shape("sd-unet-64", 1, 8, 4096, 40);
	expect_shape("sd-unet-32", 1, 8, 1024, 80);
	expect_shape("sd-unet-16", 1, 8, 256, 160);
	expect_shape("sd-unet-8", 1, 8, 64, 160);
	CU_ASSERT_TRUE(wl_preset_find("llama3-8b")->wl.causal);
	CU_ASSERT_FALSE(wl_preset_find("bert-base")->wl.causal);
	CU_ASSERT_PTR_NOT_NULL(wl_preset_find(WL_DEFAULT_PRESET));
	for (i = 0; i < wl_preset_count(); i++)
		CU_ASSERT_EQUAL(wl_validate(&wl_preset_at(i)->wl, &e), 0);
}

static void
test_parse(void)
{
	char spec[WL_SPEC_MAX];
	struct workload w, back;
	struct errbuf e;

	CU_ASSERT_EQUAL_FATAL(wl_parse("b=2,h=12,q=100,k=300,d=64", &w, &e), 0);
	CU_ASSERT_EQUAL(w.batch, 2);
	CU_ASSERT_EQUAL(w.q_len, 100);
	CU_ASSERT_EQUAL(w.k_len, 300);
	CU_ASSERT_EQUAL(w.d_v, 64);
	CU_ASSERT_EQUAL(w.elem_bytes, 2);
	CU_ASSERT_STRING_EQUAL(w.name, "custom");
	wl_format(&w, spec, sizeof spec);
	CU_ASSERT_STRING_EQUAL(spec, "b=2,h=12,q=100,k=300,dqk=64,dv=64,bytes=2,causal=0");
	CU_ASSERT_EQUAL_FATAL(wl_parse(spec, &back, &e), 0);
	CU_ASSERT_EQUAL(memcmp(&w.batch, &back.batch, sizeof w - offsetof(struct workload, batch)), 0);

	CU_ASSERT_EQUAL_FATAL(wl_parse("bert-base,s=1024,causal=yes", &w, &e), 0);
	CU_ASSERT_EQUAL(w.heads, 12);
	CU_ASSERT_EQUAL(w.q_len, 1024);
	CU_ASSERT_TRUE(w.causal);
	CU_ASSERT_STRING_EQUAL(w.name, "bert-base,s=1024,causal=yes");

	CU_ASSERT_EQUAL_FATAL(wl_parse("vit-b16", &w, &e), 0);
	CU_ASSERT_STRING_EQUAL(w.name, "vit-b16");
	CU_ASSERT_EQUAL(wl_set_seq(&w, 333, &e), 0);
	CU_ASSERT_EQUAL(w.q_len, 333);
	CU_ASSERT_STRING_EQUAL(w.name, "vit-b16,s=333");
	CU_ASSERT_EQUAL(wl_set_seq(&w, 0, &e), -1);
	CU_ASSERT_EQUAL(w.q_len, 333);
}

static void
expect_error(const char *spec, const char *message)
{
	struct workload w;
	struct errbuf e;

	CU_ASSERT_EQUAL(wl_parse(spec, &w, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, message);
	if (strcmp(e.msg, message) != 0)
		fprintf(stderr, "\n  got:      %s\n  expected: %s\n", e.msg, message);
}

static void
test_errors(void)
{
	expect_error("", "workload '': expected a preset name or b=,h=,q=,k=,d= (see "
	    "'mastrace workload list')");
	expect_error("gpt5", "workload 'gpt5': unknown preset 'gpt5', expected one of "
	    "bert-small, bert-base, bert-large, vit-b14, vit-l14, vit-h14, vit-b16, vit-l16, "
	    "vit-h16, trxl, t5, xlm, llama3-8b, sd-unet-64, sd-unet-32, sd-unet-16, sd-unet-8, "
	    "or key=value pairs");
	expect_error("b=1,h=x,q=4,k=4,d=4", "workload 'b=1,h=x,q=4,k=4,d=4': column 5: key "
	    "'h': got 'x', expected an integer from 1 to 4096");
	expect_error("b=1,h=-2,q=4,k=4,d=4", "workload 'b=1,h=-2,q=4,k=4,d=4': column 5: key "
	    "'h': got '-2', expected an integer from 1 to 4096");
	expect_error("b=0,h=1,s=4,d=4", "workload 'b=0,h=1,s=4,d=4': column 1: key 'b': got "
	    "'0', expected an integer from 1 to 65536");
	expect_error("b=1,h=1,s=4", "workload 'b=1,h=1,s=4': missing d, expected b, h, q and k "
	    "(or s), and d (or dqk and dv)");
	expect_error("b=1,h=1,s=4,dqk=8", "workload 'b=1,h=1,s=4,dqk=8': missing dv, expected "
	    "b, h, q and k (or s), and d (or dqk and dv)");
	expect_error("bert-base,zz=3", "workload 'bert-base,zz=3': column 11: unknown key 'zz', "
	    "expected one of b, h, q, k, s, d, dqk, dv, bytes, causal");
	expect_error("bert-base,", "workload 'bert-base,': column 11: expected key=value "
	    "after ','");
	expect_error("bert-base,q", "workload 'bert-base,q': column 11: expected key=value, "
	    "got 'q'");
	expect_error("bert-base,bytes=3", "workload 'bert-base,bytes=3': column 11: key "
	    "'bytes': got '3', expected 1, 2, 4 or 8 (bytes per element)");
	expect_error("bert-base,causal=maybe", "workload 'bert-base,causal=maybe': column 11: "
	    "key 'causal': got 'maybe', expected 0, 1, yes, no, true, false, on or off");
	expect_error("bert-base,q=1024,causal=1", "workload 'bert-base,q=1024,causal=1': "
	    "causal with q=1024 > k=512: expected q <= k (the mask is aligned to the last key, "
	    "so the first queries would see no key)");
	expect_error("b=65536,h=4096,s=16777216,d=4096", "workload "
	    "'b=65536,h=4096,s=16777216,d=4096': too large: b*h*q*k*(dqk+dv) exceeds 2^53 MACs");
}

static void
test_counts(void)
{
	struct workload w;
	struct errbuf e;

	CU_ASSERT_EQUAL_FATAL(wl_parse("bert-base", &w, &e), 0);
	CU_ASSERT_EQUAL(wl_score_pairs(&w), 12ull * 512 * 512);
	CU_ASSERT_EQUAL(wl_macs_qk(&w), 12ull * 512 * 512 * 64);
	CU_ASSERT_EQUAL(wl_macs_pv(&w), 12ull * 512 * 512 * 64);
	CU_ASSERT_EQUAL(wl_compulsory_bytes(&w), 12ull * 2 * (512 * 64) * 4);

	/* causal, square: row i sees i+1 keys */
	CU_ASSERT_EQUAL_FATAL(wl_parse("b=1,h=1,s=4,d=1,causal=1", &w, &e), 0);
	CU_ASSERT_EQUAL(wl_score_pairs(&w), 1 + 2 + 3 + 4);
	/* causal, q < k: row i sees i + (k - q) + 1 keys */
	CU_ASSERT_EQUAL_FATAL(wl_parse("b=2,h=3,q=3,k=5,d=1,causal=1", &w, &e), 0);
	CU_ASSERT_EQUAL(wl_score_pairs(&w), 6ull * (3 + 4 + 5));
	/* non-square, different head dims */
	CU_ASSERT_EQUAL_FATAL(wl_parse("b=1,h=1,q=3,k=7,dqk=8,dv=16,bytes=4", &w, &e), 0);
	CU_ASSERT_EQUAL(wl_macs_qk(&w), 3 * 7 * 8);
	CU_ASSERT_EQUAL(wl_macs_pv(&w), 3 * 7 * 16);
	CU_ASSERT_EQUAL(wl_compulsory_bytes(&w), 4ull * (3 * 8 + 7 * (8 + 16) + 3 * 16));
}

int
main(void)
{
	static const struct test_case cases[] = {
		{ "presets have the published shapes", test_presets },
		{ "specs parse, presets take changes", test_parse },
		{ "bad specs name the column and the key", test_errors },
		{ "MACs, pairs and bytes, with and without a causal mask", test_counts },
		{ NULL, NULL },
	};

	return cunit_run("workload", cases);
}
