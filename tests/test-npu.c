/* Unit tests for the NPU model: presets, INI parsing, validation, writing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cunit-main.h"
#include "npu.h"

/* Parse `text` as if it were the file "t.ini". */
static int
load_text(const char *text, struct npu *n, struct errbuf *e)
{
	FILE *f = tmpfile();
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	rewind(f);
	rc = npu_load_stream(f, "t.ini", n, e);
	fclose(f);
	return rc;
}

/* The INI text npu_write_ini() produces, in a malloc'd string. */
static char *
ini_text(const struct npu *n, const char *sources)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(npu_write_ini(f, n, sources), 0);
	fclose(f);
	return buf;
}

static void
test_presets_valid(void)
{
	struct errbuf e;
	size_t i;

	CU_ASSERT_TRUE(npu_preset_count() >= 4);
	CU_ASSERT_PTR_NOT_NULL(npu_preset_find(NPU_DEFAULT_PRESET));
	CU_ASSERT_PTR_NOT_NULL(npu_preset_find("flat-edge"));
	CU_ASSERT_PTR_NOT_NULL(npu_preset_find("flat-cloud"));
	CU_ASSERT_PTR_NOT_NULL(npu_preset_find("tileflow-edge"));
	CU_ASSERT_PTR_NULL(npu_preset_find("bogus"));
	CU_ASSERT_PTR_NULL(npu_preset_at(npu_preset_count()));
	for (i = 0; i < npu_preset_count(); i++) {
		const struct npu_preset *p = npu_preset_at(i);
		CU_ASSERT_EQUAL(npu_validate(&p->npu, &e), 0);
		CU_ASSERT_STRING_EQUAL(p->name, p->npu.name);
		CU_ASSERT_PTR_NOT_NULL(strstr(p->sources, "Assumed"));
	}
}

static void
test_preset_facts(void)
{
	const struct npu *edge = &npu_preset_find("edge")->npu;
	const struct npu *fe = &npu_preset_find("flat-edge")->npu;
	const struct npu *fc = &npu_preset_find("flat-cloud")->npu;
	const struct npu *tf = &npu_preset_find("tileflow-edge")->npu;

	CU_ASSERT_EQUAL(npu_macs_per_cycle(edge), 4096);
	CU_ASSERT_TRUE(npu_has_l0(edge));
	CU_ASSERT_EQUAL(edge->l1.capacity_bytes, 256 * 1024);
	CU_ASSERT_TRUE(edge->vec.exp_cycles > edge->vec.add_cycles);
	CU_ASSERT_EQUAL(npu_macs_per_cycle(fe), 32 * 32);
	CU_ASSERT_EQUAL(fe->clock_mhz, 940);
	CU_ASSERT_EQUAL(fe->l1.capacity_bytes, 512 * 1024);
	CU_ASSERT_DOUBLE_EQUAL(fe->dram.bandwidth_gbs, 50 * 1.073741824, 1e-9);
	CU_ASSERT_EQUAL(fe->vec.lanes, 32);
	CU_ASSERT_FALSE(npu_has_l0(fe));
	CU_ASSERT_EQUAL(npu_macs_per_cycle(fc), 256 * 256);
	CU_ASSERT_EQUAL(fc->l1.capacity_bytes, 32ull * 1024 * 1024);
	CU_ASSERT_DOUBLE_EQUAL(fc->dram.bandwidth_gbs, 400 * 1.073741824, 1e-9);
	CU_ASSERT_EQUAL(tf->l1.capacity_bytes, 4 * 64 * 1024);
	/* 4 16-bit words per cycle */
	CU_ASSERT_DOUBLE_EQUAL(npu_dram_bytes_per_cycle(tf), 8.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(npu_dram_bytes_per_cycle(edge), 25.6, 1e-12);
}

static void
test_round_trip(void)
{
	struct errbuf e;
	struct npu n;
	size_t i;

	for (i = 0; i < npu_preset_count(); i++) {
		const struct npu_preset *p = npu_preset_at(i);
		char *first = ini_text(&p->npu, p->sources), *second;

		CU_ASSERT_EQUAL_FATAL(load_text(first, &n, &e), 0);
		CU_ASSERT_STRING_EQUAL(n.name, p->npu.name);
		CU_ASSERT_EQUAL(n.l1.capacity_bytes, p->npu.l1.capacity_bytes);
		/* %.15g is enough for the presets' decimals to come back exactly */
		CU_ASSERT_TRUE(n.dram.bandwidth_gbs == p->npu.dram.bandwidth_gbs);
		CU_ASSERT_TRUE(n.energy.dram_byte_pj == p->npu.energy.dram_byte_pj);
		second = ini_text(&n, p->sources);
		CU_ASSERT_STRING_EQUAL(first, second);
		free(first);
		free(second);
	}
}

static void
test_base(void)
{
	const struct npu *edge = &npu_preset_find("edge")->npu;
	struct errbuf e;
	struct npu n;

	CU_ASSERT_EQUAL_FATAL(load_text("[npu]\nbase = edge\nname = half-l1\n"
	    "[l1]\ncapacity_kib = 128 ; halve L1\n", &n, &e), 0);
	CU_ASSERT_STRING_EQUAL(n.name, "half-l1");
	CU_ASSERT_EQUAL(n.l1.capacity_bytes, 128 * 1024);
	CU_ASSERT_EQUAL(n.l1.banks, edge->l1.banks);
	CU_ASSERT_EQUAL(n.mac.m, edge->mac.m);
	CU_ASSERT_TRUE(n.dram.bandwidth_gbs == edge->dram.bandwidth_gbs);
	/* indentation, CRLF and a BOM are all ordinary text */
	CU_ASSERT_EQUAL(load_text("\xEF\xBB\xBF[npu]\r\n  base = flat-edge\r\n\t[dma]\r\n"
	    "   channels = 3\r\n", &n, &e), 0);
	CU_ASSERT_EQUAL(n.dma.channels, 3);
	CU_ASSERT_EQUAL(n.clock_mhz, 940);
	/* 'key: value' is 'key = value' (mastrace-npu(5)) */
	CU_ASSERT_EQUAL_FATAL(load_text("[npu]\nbase = edge\nname: colon\n[l1]\ncapacity_kib: 128\n",
	    &n, &e), 0);
	CU_ASSERT_STRING_EQUAL(n.name, "colon");
	CU_ASSERT_EQUAL(n.l1.capacity_bytes, 128 * 1024);
}

static void
expect_error(const char *text, const char *message)
{
	struct errbuf e;
	struct npu n;

	e.msg[0] = '\0';
	CU_ASSERT_EQUAL(load_text(text, &n, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, message);
	if (strcmp(e.msg, message) != 0)
		fprintf(stderr, "\n  got:      %s\n  expected: %s\n", e.msg, message);
}

static void
test_errors(void)
{
	expect_error("", "t.ini: no settings found, expected an NPU description starting "
	    "with [npu] (see mastrace-npu(5))");
	expect_error("[npu]\nbase = edge\n[l1]\ncapacity_kib = -4\n",
	    "t.ini:4: key 'l1.capacity_kib': got '-4', expected an integer from 1 to "
	    "16777216 (KiB)");
	expect_error("[npu]\nbase = edge\n[dram]\nbandwidth_gbs = 0\n",
	    "t.ini:4: key 'dram.bandwidth_gbs': got '0', expected a number from 0.001 to "
	    "100000 (GB/s)");
	expect_error("[npu]\nbase = edge\n[vec]\nlanes = 96\n",
	    "t.ini:4: key 'vec.lanes': got '96', expected an integer from 1 to 65536, "
	    "a power of two (elements)");
	expect_error("[npu]\nbase = edge\n[vec]\nlanes =\n",
	    "t.ini:4: key 'vec.lanes': got nothing, expected an integer from 1 to 65536, "
	    "a power of two (elements)");
	expect_error("[npu]\nbase = edge\nclock = 3\n",
	    "t.ini:3: unknown key 'clock' in [npu], expected one of: name, description, "
	    "clock_mhz");
	expect_error("name = x\n", "t.ini:1: key 'name' is outside any section, expected a "
	    "[section] header such as [npu] first");
	expect_error("[npu]\nname = x\n", "t.ini: missing section [mac], expected every "
	    "section unless [npu] starts with 'base = PRESET'");
	expect_error("[npu]\nbase = edge\n[cache]\nx = 1\n",
	    "t.ini:3: unknown section [cache], expected one of [npu] [mac] [vec] [l1] [l0] "
	    "[dram] [dma] [energy]");
	expect_error("[npu]\nbase = edge\nname = a\nname = b\n",
	    "t.ini:4: key 'npu.name' is set twice (first at line 3)");
	expect_error("[npu]\nname = a\nbase = edge\n",
	    "t.ini:3: key 'npu.base' must come before every other key (line 2 sets "
	    "'npu.name')");
	expect_error("[npu]\nbase = tpu\n", "t.ini:2: key 'npu.base': got 'tpu', expected a "
	    "preset: edge, flat-edge, flat-cloud, tileflow-edge");
	expect_error("[npu]\nbase = edge\n[mac]\nkind = systolic\n",
	    "t.ini:4: key 'mac.m': got 16, expected 1 for kind = systolic (a systolic array "
	    "takes one row of the left operand per cycle)");
	expect_error("[npu]\nbase = edge\n[mac]\nkind = systolic\nm = 1\n[l0]\nb_kib = 0\n",
	    "t.ini:7: key 'l0.b_kib': got 0, expected a_kib, b_kib and c_kib to be all 0 "
	    "(no L0 buffers) or all positive");
	expect_error("[npu]\nbase = edge\n[mac]\nkind = tensor\n",
	    "t.ini:4: key 'mac.kind': got 'tensor', expected 'cube' or 'systolic'");
	expect_error("[npu]\nbase = edge\nname = has space\n",
	    "t.ini:3: key 'npu.name': got 'has space', expected 1 to 63 characters from "
	    "A-Z a-z 0-9 . _ -");
	expect_error("[npu]\nhello\n", "t.ini:2: expected '[section]', 'key = value' or "
	    "'key: value', got 'hello'");
	expect_error("[npu]\n: 3\n", "t.ini:2: expected a key name before ':'");
	expect_error("[npu\n", "t.ini:1: expected ']' to close the section header '[npu'");
	expect_error("[npu]\n= 3\n", "t.ini:2: expected a key name before '='");
	expect_error("[npu]\nbase = edge\n[l1]\ncapacity_kib = 99999999999999999999999\n",
	    "t.ini:4: key 'l1.capacity_kib': got '99999999999999999999999', expected an "
	    "integer from 1 to 16777216 (KiB)");
	expect_error("[npu]\nbase = edge\n[l1]\ncapacity_kib = 1.5\n",
	    "t.ini:4: key 'l1.capacity_kib': got '1.5', expected an integer from 1 to "
	    "16777216 (KiB)");
	expect_error("[npu]\nbase = edge\n[l1]\nbanks = 3\n",
	    "t.ini:4: key 'l1.banks': got '3', expected an integer from 1 to 1024, a power of "
	    "two (banks)");
	expect_error("[npu]\n\x01\x02garbage\n", "t.ini:2: binary data (byte 0x01 at column 1), "
	    "expected a text INI file");
}

static void
test_missing_key(void)
{
	const struct npu_preset *p = npu_preset_find("edge");
	char *text = ini_text(&p->npu, NULL), *line;

	/* Drop the clock line: the file is then complete but for one key. */
	line = strstr(text, "\nclock_mhz = ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	memmove(line + 1, strchr(line + 1, '\n') + 1, strlen(strchr(line + 1, '\n') + 1) + 1);
	expect_error(text, "t.ini: missing key 'clock_mhz' in [npu], expected every key "
	    "unless [npu] starts with 'base = PRESET'");
	free(text);
}

static void
test_long_line(void)
{
	char text[600];

	snprintf(text, sizeof text, "[npu]\nbase = edge\ndescription = %0400d\n", 0);
	expect_error(text, "t.ini:3: line is 414 characters long, expected at most 198");
}

static void
test_validate(void)
{
	struct npu n = npu_preset_find("edge")->npu;
	struct errbuf e;

	n.vec.lanes = 3;
	CU_ASSERT_EQUAL(npu_validate(&n, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "npu 'edge': key 'vec.lanes': invalid value, expected "
	    "an integer from 1 to 65536, a power of two (elements)");
	n = npu_preset_find("edge")->npu;
	n.l0.a_bytes = 1000 * 1024;
	CU_ASSERT_EQUAL(npu_validate(&n, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "npu 'edge': key 'l0.a_kib': got 1000, expected at most "
	    "l1.capacity_kib (256): L0 operands are loaded from L1");
	n = npu_preset_find("edge")->npu;
	n.l1.capacity_bytes = 1000;	/* not whole KiB */
	CU_ASSERT_EQUAL(npu_validate(&n, &e), -1);
}

static void
test_resolve(void)
{
	struct errbuf e;
	struct npu n;

	CU_ASSERT_EQUAL(npu_resolve("flat-cloud", &n, &e), 0);
	CU_ASSERT_STRING_EQUAL(n.name, "flat-cloud");
	CU_ASSERT_EQUAL(npu_resolve("no-such-npu", &n, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "npu 'no-such-npu': no such preset or file, expected one "
	    "of edge, flat-edge, flat-cloud, tileflow-edge or an INI file");
	CU_ASSERT_EQUAL(npu_resolve("./no-such.ini", &n, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "./no-such.ini: cannot open: No such file or directory");
}

int
main(void)
{
	static const struct test_case cases[] = {
		{ "every preset validates", test_presets_valid },
		{ "presets carry the published numbers", test_preset_facts },
		{ "write -> load -> write is identical", test_round_trip },
		{ "base = PRESET inherits, text quirks accepted", test_base },
		{ "every error names file, line, key", test_errors },
		{ "a missing key is named", test_missing_key },
		{ "over-long lines are refused, not split", test_long_line },
		{ "npu_validate checks structs", test_validate },
		{ "--npu resolves presets and files", test_resolve },
		{ NULL, NULL },
	};

	return cunit_run("npu", cases);
}
