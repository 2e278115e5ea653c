/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BER-TLV reader and writer: multi-byte tags, long lengths, nesting,
 * truncation and hostile lengths. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "tests/support/script.h"

static uint8_t in[70000];

static size_t hex(const char *h)
{
	long n = tm_hex_decode(h, in, sizeof(in));
	assert_true(n >= 0);
	return (size_t)n;
}

static void test_read_forms(void **state)
{
	(void)state;
	struct tm_tlv_iter it;
	struct tm_tlv t;
	/* 1-byte tag; 2-byte tag 7F49; 3-byte tag DF8101; lengths 81, 82. */
	size_t n = hex("C0 01 AA  7F49 02 8101  DF8101 81 01 BB  C1 82 0001 CC");

	tm_tlv_iter_init(&it, in, n);
	assert_int_equal(tm_tlv_next(&it, &t), TM_OK);
	assert_int_equal(t.tag, 0xC0);
	assert_int_equal(t.len, 1);
	assert_int_equal(t.value[0], 0xAA);
	assert_int_equal(tm_tlv_next(&it, &t), TM_OK);
	assert_int_equal(t.tag, 0x7F49);
	assert_true(tm_tlv_is_constructed(t.tag));
	assert_int_equal(t.len, 2);
	assert_int_equal(tm_tlv_next(&it, &t), TM_OK);
	assert_int_equal(t.tag, 0xDF8101);
	assert_false(tm_tlv_is_constructed(t.tag));
	assert_int_equal(t.value[0], 0xBB);
	assert_int_equal(tm_tlv_next(&it, &t), TM_OK);
	assert_int_equal(t.tag, 0xC1);
	assert_int_equal(t.value[0], 0xCC);
	assert_int_equal(tm_tlv_next(&it, &t), TM_ERR_NOT_FOUND);
}

static void test_long_lengths(void **state)
{
	(void)state;
	struct tm_tlv t;

	memset(in, 0x5A, sizeof(in));
	/* 83 and 84 forms with a value that is really there. */
	memcpy(in, "\xC0\x83\x01\x00\x00", 5);
	assert_int_equal(tm_tlv_find(in, 5 + 65536, 0xC0, &t), TM_OK);
	assert_int_equal(t.len, 65536);
	memcpy(in, "\xC0\x84\x00\x01\x00\x00", 6);
	assert_int_equal(tm_tlv_find(in, 6 + 65536, 0xC0, &t), TM_OK);
	assert_int_equal(t.len, 65536);
}

static void expect_malformed(const char *h)
{
	size_t n = hex(h);
	struct tm_tlv_iter it;
	struct tm_tlv t;

	tm_tlv_iter_init(&it, in, n);
	if (tm_tlv_next(&it, &t) != TM_ERR_MALFORMED)
		fail_msg("accepted malformed TLV %s", h);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_malformed("C0");             /* no length */
	expect_malformed("C0 02 AA");       /* value truncated */
	expect_malformed("C0 80");          /* indefinite length */
	expect_malformed("C0 85 0000000001"); /* length of 5 bytes */
	expect_malformed("C0 82 01");       /* long form truncated */
	expect_malformed("C0 84 FFFFFFFF 00"); /* huge length, no allocation */
	expect_malformed("7F");             /* tag truncated */
	expect_malformed("7F 80 01 00");    /* leading zero in the tag */
	expect_malformed("7F FFFFFF01 00"); /* tag of five bytes */
}

static void test_padding_and_find(void **state)
{
	(void)state;
	struct tm_tlv t;
	size_t n = hex("00 FF C0 01 01 00 C1 02 0203 FF");

	assert_int_equal(tm_tlv_find(in, n, 0xC1, &t), TM_OK);
	assert_int_equal(t.len, 2);
	assert_int_equal(tm_tlv_find(in, n, 0xC2, &t), TM_ERR_NOT_FOUND);
	n = hex("C0 01 01 C1 05 00");
	assert_int_equal(tm_tlv_find(in, n, 0xC1, &t), TM_ERR_MALFORMED);
	assert_int_equal(tm_tlv_find(NULL, 0, 0xC1, &t), TM_ERR_NOT_FOUND);
}

struct visits {
	uint32_t tags[8];
	unsigned depths[8];
	int n;
	int stop_at;
};

static int record(const struct tm_tlv *t, unsigned depth, void *ctx)
{
	struct visits *v = ctx;

	if (v->n == v->stop_at)
		return TM_ERR_ARGS;
	if (v->n < 8) {
		v->tags[v->n] = t->tag;
		v->depths[v->n] = depth;
	}
	v->n++;
	return TM_OK;
}

static void test_walk(void **state)
{
	(void)state;
	struct visits v = {.stop_at = -1};
	/* 6F { 84 .., A5 { C0 .., E0 { C1 .. } }, E0 {} } C2 */
	size_t n = hex("6F 0F 84 01 AA A5 08 C0 01 01 E0 03 C1 01 02 E0 00 C2 00");

	assert_int_equal(tm_tlv_walk(in, n, record, &v), TM_OK);
	assert_int_equal(v.n, 8);
	const uint32_t tags[] = {0x6F, 0x84, 0xA5, 0xC0, 0xE0, 0xC1, 0xE0, 0xC2};
	const unsigned depths[] = {0, 1, 1, 2, 2, 3, 1, 0};
	for (int i = 0; i < 8; i++) {
		assert_int_equal(v.tags[i], tags[i]);
		assert_int_equal(v.depths[i], depths[i]);
	}
	/* The visitor's code stops the walk. */
	v = (struct visits){.stop_at = 2};
	assert_int_equal(tm_tlv_walk(in, n, record, &v), TM_ERR_ARGS);
	/* An inner error surfaces. */
	n = hex("6F 04 A5 02 C0 05");
	v = (struct visits){.stop_at = -1};
	assert_int_equal(tm_tlv_walk(in, n, record, &v), TM_ERR_MALFORMED);
}

/* levels constructed E0s around one primitive C0 01 00. */
static size_t nest(unsigned levels)
{
	size_t len = 3;

	for (unsigned i = 0; i < levels; i++) {
		memmove(in + 2, in, len);
		in[0] = 0xE0;
		in[1] = (uint8_t)len;
		len += 2;
	}
	return len;
}

static void test_deep_nesting(void **state)
{
	(void)state;
	struct visits v = {.stop_at = -1};

	memcpy(in, "\xC0\x01\x00", 3);
	size_t n = nest(TM_TLV_MAX_DEPTH - 1);
	assert_int_equal(tm_tlv_walk(in, n, record, &v), TM_OK);
	memcpy(in, "\xC0\x01\x00", 3);
	n = nest(TM_TLV_MAX_DEPTH);
	v = (struct visits){.stop_at = -1};
	assert_int_equal(tm_tlv_walk(in, n, record, &v), TM_ERR_TOO_DEEP);
}

static void test_writer(void **state)
{
	(void)state;
	struct tm_buf b;
	struct tm_tlv t;
	uint8_t payload[300];

	memset(payload, 0x77, sizeof(payload));
	tm_buf_init_dynamic(&b, 4096);
	size_t outer = tm_tlv_begin(&b, 0x6F);
	tm_tlv_put_u8(&b, 0xC0, 1);
	tm_tlv_put_u16(&b, 0x7F49, 0x0102);
	size_t inner = tm_tlv_begin(&b, 0xA5);
	tm_tlv_put(&b, 0xDF01, payload, 200); /* length 81 C8 */
	tm_tlv_end(&b, inner);
	tm_tlv_put(&b, 0xC2, payload, 300);   /* length 82 012C */
	tm_tlv_end(&b, outer);
	assert_true(tm_buf_ok(&b));

	/* Read back what was written. */
	assert_int_equal(tm_tlv_find(b.data, b.len, 0x6F, &t), TM_OK);
	assert_int_equal(t.len, b.len - 4); /* 6F 82 xx xx */
	const uint8_t *body = t.value;
	size_t body_len = t.len;
	assert_int_equal(tm_tlv_find(body, body_len, 0x7F49, &t), TM_OK);
	uint32_t v;
	assert_int_equal(tm_tlv_get_uint(&t, &v), TM_OK);
	assert_int_equal(v, 0x0102);
	assert_int_equal(tm_tlv_find(body, body_len, 0xA5, &t), TM_OK);
	assert_int_equal(tm_tlv_find(t.value, t.len, 0xDF01, &t), TM_OK);
	assert_int_equal(t.len, 200);
	assert_int_equal(tm_tlv_find(body, body_len, 0xC2, &t), TM_OK);
	assert_int_equal(t.len, 300);
	assert_memory_equal(t.value, payload, 300);
	assert_memory_equal(b.data, "\x6F\x82", 2);
	tm_buf_free(&b);
}

static void test_writer_overflow(void **state)
{
	(void)state;
	uint8_t mem[8];
	struct tm_buf b;

	tm_buf_init_fixed(&b, mem, sizeof(mem));
	size_t m = tm_tlv_begin(&b, 0xE0);
	tm_tlv_put(&b, 0xC0, "123456", 6); /* 8 bytes with E0's tag: no room for its length */
	tm_tlv_end(&b, m);
	assert_false(tm_buf_ok(&b));
}

static void test_get_uint(void **state)
{
	(void)state;
	struct tm_tlv t = {.tag = 0xC8, .value = (const uint8_t *)"\x01\x02\x03\x04\x05"};
	uint32_t v;

	t.len = 4;
	assert_int_equal(tm_tlv_get_uint(&t, &v), TM_OK);
	assert_int_equal(v, 0x01020304);
	t.len = 5;
	assert_int_equal(tm_tlv_get_uint(&t, &v), TM_ERR_MALFORMED);
	t.len = 0;
	assert_int_equal(tm_tlv_get_uint(&t, &v), TM_ERR_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_forms),
		cmocka_unit_test(test_long_lengths),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_padding_and_find),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_overflow),
		cmocka_unit_test(test_get_uint),
	};
	return cmocka_run_group_tests_name("tlv", tests, NULL, NULL);
}
