/* test.h: the unit-test harness. Each tests/test_<module>.c defines test functions named as
 * sentences and lists them in main() with RUN(); the summary line is "N passed, N failed". */
#ifndef TEST_H
#define TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failed_checks;
static int test_passed, test_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		test_failed_checks++; \
	} } while (0)

#define CHECK_EQ_I64(a, b) do { \
	long long va_ = (long long)(a), vb_ = (long long)(b); \
	if (va_ != vb_) { \
		fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, \
			#a, #b, va_, vb_); \
		test_failed_checks++; \
	} } while (0)

#define CHECK_NEAR(a, b, rel) do { \
	double va_ = (double)(a), vb_ = (double)(b); \
	if (!(fabs(va_ - vb_) <= (rel) * fabs(vb_) + 1e-12)) { \
		fprintf(stderr, "%s:%d: %s ~ %s failed: %.9g vs %.9g (rel %.3g)\n", __FILE__, \
			__LINE__, #a, #b, va_, vb_, (double)(rel)); \
		test_failed_checks++; \
	} } while (0)

#define CHECK_STR_CONTAINS(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) { \
		fprintf(stderr, "%s:%d: '%s' does not contain '%s'\n", __FILE__, __LINE__, \
			h_ ? h_ : "(null)", n_); \
		test_failed_checks++; \
	} } while (0)

#define RUN(fn) do { \
	int before_ = test_failed_checks; \
	fn(); \
	if (test_failed_checks == before_) { test_passed++; } \
	else { test_failed++; fprintf(stderr, "FAIL %s\n", #fn); } \
	} while (0)

#define TEST_SUMMARY() ( \
	printf("%d passed, %d failed\n", test_passed, test_failed), test_failed ? 1 : 0)

#endif
