/* Unit tests for num (strict number parsing) and errbuf. */
#include "config.h"

#include <string.h>

#include "array.h"
#include "cunit-main.h"
#include "errbuf.h"
#include "num.h"

static void
test_u64_accepts(void)
{
	uint64_t v = 0;

	CU_ASSERT_EQUAL(num_parse_u64("0", &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(num_parse_u64("18446744073709551615", &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	CU_ASSERT_EQUAL(num_parse_u64("007", &v), 0);
	CU_ASSERT_EQUAL(v, 7);
}

static void
test_u64_refuses(void)
{
	static const char *const bad[] = {
		"", "-4", "+4", " 4", "4 ", "4k", "0x10", "1.5", "18446744073709551616", "abc",
	};
	uint64_t v = 42;
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		CU_ASSERT_EQUAL(num_parse_u64(bad[i], &v), -1);
		CU_ASSERT_EQUAL(v, 42);	/* untouched on failure */
	}
	CU_ASSERT_EQUAL(num_parse_u64(NULL, &v), -1);
}

static void
test_double(void)
{
	static const char *const bad[] = { "", "nan", "inf", "-inf", "0x1p3", "1e999", "1.5x", "x" };
	double d = 0;
	size_t i;

	CU_ASSERT_EQUAL(num_parse_double("25.6", &d), 0);
	CU_ASSERT_DOUBLE_EQUAL(d, 25.6, 1e-12);
	CU_ASSERT_EQUAL(num_parse_double("-0.5", &d), 0);
	CU_ASSERT_DOUBLE_EQUAL(d, -0.5, 1e-12);
	CU_ASSERT_EQUAL(num_parse_double("1e3", &d), 0);
	CU_ASSERT_DOUBLE_EQUAL(d, 1000, 1e-12);
	for (i = 0; i < ARRAY_LEN(bad); i++)
		CU_ASSERT_EQUAL(num_parse_double(bad[i], &d), -1);
	CU_ASSERT_TRUE(num_looks_numeric("-4"));
	CU_ASSERT_FALSE(num_looks_numeric("four"));
}

static void
test_bool_and_pow2(void)
{
	bool b = false;

	CU_ASSERT_EQUAL(num_parse_bool("YES", &b), 0);
	CU_ASSERT_TRUE(b);
	CU_ASSERT_EQUAL(num_parse_bool("off", &b), 0);
	CU_ASSERT_FALSE(b);
	CU_ASSERT_EQUAL(num_parse_bool("2", &b), -1);
	CU_ASSERT_TRUE(num_is_pow2(1));
	CU_ASSERT_TRUE(num_is_pow2(1024));
	CU_ASSERT_FALSE(num_is_pow2(0));
	CU_ASSERT_FALSE(num_is_pow2(96));
}

static void
test_errbuf(void)
{
	struct errbuf e;
	char big[4 * ERRBUF_SIZE];

	CU_ASSERT_EQUAL(errbuf_set(&e, "%s:%d: bad", "f.ini", 3), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "f.ini:3: bad");
	CU_ASSERT_EQUAL(errbuf_prefix(&e, "npu '%s'", "x"), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "npu 'x': f.ini:3: bad");
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	errbuf_set(&e, "%s", big);	/* truncated, still terminated */
	CU_ASSERT_EQUAL(strlen(e.msg), ERRBUF_SIZE - 1);
	CU_ASSERT_EQUAL(errbuf_set(NULL, "ignored"), -1);
}

int
main(void)
{
	static const struct test_case cases[] = {
		{ "u64 accepts plain decimals", test_u64_accepts },
		{ "u64 refuses signs, spaces, suffixes, overflow", test_u64_refuses },
		{ "double: finite decimals only", test_double },
		{ "bool words and powers of two", test_bool_and_pow2 },
		{ "errbuf formats, prefixes, truncates", test_errbuf },
		{ NULL, NULL },
	};

	return cunit_run("num", cases);
}
