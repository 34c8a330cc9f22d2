/* cunit-main: the main() every CUnit test program shares. */
#ifndef MASTRACE_CUNIT_MAIN_H
#define MASTRACE_CUNIT_MAIN_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

/*
 * Run one suite in CUnit's verbose basic mode (so its summary lands in the
 * automake log) and exit 1 on any failed assertion or framework error.
 */
static inline int
cunit_run(const char *suite_name, const struct test_case *cases)
{
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	suite = CU_add_suite(suite_name, NULL, NULL);
	if (suite == NULL)
		goto error;
	for (; cases->name != NULL; cases++)
		if (CU_add_test(suite, cases->name, cases->fn) == NULL)
			goto error;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS)
		goto error;
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failures != 0;
error:
	fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
	CU_cleanup_registry();
	return 99;
}

static char cunit_dir[128];

/*
 * A file in the suite's temporary folder; the name stays valid for the
 * next seven calls, enough for any one assertion.
 */
static inline const char *
cunit_path(const char *name)
{
	static char buf[8][256];
	static unsigned n;
	char *p = buf[n++ % 8];

	snprintf(p, sizeof buf[0], "%s/%s", cunit_dir, name);
	return p;
}

/* The source tree (make check exports TOP_SRCDIR), for its fixed inputs. */
static inline const char *
cunit_srcdir(void)
{
	const char *d = getenv("TOP_SRCDIR");

	return d != NULL && d[0] != '\0' ? d : ".";
}

/* cunit_run() inside a folder made from `tmpl` (for mkdtemp) and removed after. */
static inline int
cunit_run_in_tmpdir(const char *suite_name, const struct test_case *cases, const char *tmpl)
{
	char cmd[300];
	int rc;

	snprintf(cunit_dir, sizeof cunit_dir, "%s", tmpl);
	if (mkdtemp(cunit_dir) == NULL)
		return 99;
	rc = cunit_run(suite_name, cases);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", cunit_dir);
	if (system(cmd) != 0 && rc == 0)
		rc = 99;
	return rc;
}

#endif
