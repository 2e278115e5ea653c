/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sticky-error writer. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apdu/buf.h"

static void test_fixed_overflow_sticks(void **state)
{
	(void)state;
	uint8_t mem[4];
	struct tm_buf b;

	tm_buf_init_fixed(&b, mem, sizeof(mem));
	tm_buf_add_u16(&b, 0x1234);
	assert_true(tm_buf_ok(&b));
	tm_buf_add_u32(&b, 0xAABBCCDD); /* does not fit */
	assert_false(tm_buf_ok(&b));
	tm_buf_add_u8(&b, 0x01); /* would fit, but the error sticks */
	assert_false(tm_buf_ok(&b));
	assert_int_equal(b.len, 2);
	assert_memory_equal(mem, "\x12\x34", 2);
	assert_null(tm_buf_reserve(&b, 1));
}

static void test_dynamic_growth_and_limit(void **state)
{
	(void)state;
	struct tm_buf b;

	tm_buf_init_dynamic(&b, 1000);
	for (int i = 0; i < 250; i++)
		tm_buf_add_u32(&b, (uint32_t)i);
	assert_true(tm_buf_ok(&b));
	assert_int_equal(b.len, 1000);
	assert_memory_equal(b.data + 996, "\x00\x00\x00\xF9", 4);
	tm_buf_add_u8(&b, 0); /* past the limit */
	assert_false(tm_buf_ok(&b));
	tm_buf_free(&b);
	assert_null(b.data);
}

static void test_insert(void **state)
{
	(void)state;
	struct tm_buf b;

	tm_buf_init_dynamic(&b, 64);
	tm_buf_add(&b, "ade", 3);
	tm_buf_insert(&b, 1, "bc", 2);
	assert_true(tm_buf_ok(&b));
	assert_memory_equal(b.data, "abcde", 5);
	tm_buf_insert(&b, 9, "x", 1); /* past the end */
	assert_false(tm_buf_ok(&b));
	tm_buf_free(&b);
}

/* Found by fuzz_applet under clang's UBSan: reserving nothing in an
 * empty dynamic buffer offset a null pointer. */
static void test_empty_reservations(void **state)
{
	(void)state;
	struct tm_buf b;

	tm_buf_init_dynamic(&b, 16);
	tm_buf_add(&b, NULL, 0);
	assert_true(tm_buf_ok(&b));
	assert_non_null(tm_buf_reserve(&b, 0));
	assert_int_equal(b.len, 0);
	assert_true(tm_buf_ok(&b));
	tm_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_overflow_sticks),
		cmocka_unit_test(test_dynamic_growth_and_limit),
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_empty_reservations),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
