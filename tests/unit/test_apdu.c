/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command/response codec: every case, both forms, every malformed
 * length (ISO 7816-3 §12.1.3). */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/apdu.h"
#include "apdu/rc.h"
#include "tests/support/script.h"

static uint8_t big[TM_APDU_MAX_NC];
static uint8_t out[TM_APDU_MAX_COMMAND];

static void expect_encoding(const struct tm_apdu *a, const char *hex)
{
	uint8_t want[64];
	size_t len = 0;
	long n = tm_hex_decode(hex, want, sizeof(want));

	assert_true(n > 0);
	assert_int_equal(tm_apdu_encode(a, out, sizeof(out), &len), TM_OK);
	assert_int_equal(len, (size_t)n);
	assert_int_equal(tm_apdu_encoded_len(a), len);
	assert_memory_equal(out, want, len);
}

static void test_short_cases(void **state)
{
	(void)state;
	const uint8_t d[] = {0xAA, 0xBB};
	struct tm_apdu a = {.cla = 0x00, .ins = 0xA4, .p1 = 0x04, .p2 = 0x00};

	assert_int_equal(tm_apdu_case(&a), TM_APDU_CASE_1);
	expect_encoding(&a, "00A40400");
	a.ne = 1;
	assert_int_equal(tm_apdu_case(&a), TM_APDU_CASE_2);
	expect_encoding(&a, "00A40400 01");
	a.ne = 256; /* Le = 00 means 256 */
	expect_encoding(&a, "00A40400 00");
	a.ne = 0;
	a.data = d;
	a.nc = 2;
	assert_int_equal(tm_apdu_case(&a), TM_APDU_CASE_3);
	expect_encoding(&a, "00A40400 02 AABB");
	a.ne = 255;
	assert_int_equal(tm_apdu_case(&a), TM_APDU_CASE_4);
	assert_false(tm_apdu_is_extended(&a));
	expect_encoding(&a, "00A40400 02 AABB FF");
}

static void test_extended_cases(void **state)
{
	(void)state;
	const uint8_t d[] = {0x01, 0x02, 0x03};
	struct tm_apdu a = {.cla = 0x00, .ins = 0xB1, .p1 = 0x00, .p2 = 0x01};

	a.ne = 257;
	assert_true(tm_apdu_is_extended(&a));
	expect_encoding(&a, "00B10001 000101");
	a.ne = 65536; /* Le = 0000 means 65536 */
	expect_encoding(&a, "00B10001 000000");
	/* Extended because of Ne alone: Lc takes three bytes, Le two. */
	a.data = d;
	a.nc = 3;
	a.ne = 300;
	expect_encoding(&a, "00B10001 000003 010203 012C");
	a.ne = 65536;
	expect_encoding(&a, "00B10001 000003 010203 0000");
	/* Extended because of Nc: Ne = 256 is then written 0100. */
	a.data = big;
	a.nc = 256;
	a.ne = 256;
	size_t len;
	assert_int_equal(tm_apdu_encode(&a, out, sizeof(out), &len), TM_OK);
	assert_int_equal(len, 4 + 3 + 256 + 2);
	assert_memory_equal(out + 4, "\x00\x01\x00", 3);
	assert_memory_equal(out + len - 2, "\x01\x00", 2);
	a.ne = 0;
	assert_int_equal(tm_apdu_encode(&a, out, sizeof(out), &len), TM_OK);
	assert_int_equal(len, 4 + 3 + 256);
}

static void test_encode_errors(void **state)
{
	(void)state;
	struct tm_apdu a = {.ins = 0xCA};
	uint8_t small[6];
	size_t len;

	a.nc = 1; /* data missing */
	assert_int_equal(tm_apdu_encode(&a, out, sizeof(out), &len), TM_ERR_ARGS);
	assert_int_equal(tm_apdu_encoded_len(&a), 0);
	a.data = big;
	a.nc = TM_APDU_MAX_NC + 1;
	assert_int_equal(tm_apdu_encode(&a, out, sizeof(out), &len), TM_ERR_ARGS);
	a.nc = 0;
	a.ne = TM_APDU_MAX_NE + 1;
	assert_int_equal(tm_apdu_encode(&a, out, sizeof(out), &len), TM_ERR_ARGS);
	a.ne = 0;
	a.nc = 3;
	assert_int_equal(tm_apdu_encode(&a, small, sizeof(small), &len),
			 TM_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(tm_apdu_encode(NULL, out, sizeof(out), &len), TM_ERR_ARGS);
	assert_int_equal(tm_apdu_encode(&a, NULL, sizeof(out), &len), TM_ERR_ARGS);
}

/* Every boundary of Nc and Ne survives encode → decode, in the form the
 * codec chose. */
static void test_round_trip_boundaries(void **state)
{
	(void)state;
	const size_t ncs[] = {0, 1, 255, 256, 65535};
	const size_t nes[] = {0, 1, 255, 256, 257, 65535, 65536};

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(ncs) / sizeof(ncs[0]); i++) {
		for (size_t j = 0; j < sizeof(nes) / sizeof(nes[0]); j++) {
			struct tm_apdu a = {.cla = 0x80, .ins = 0x2A, .p1 = 0x9E,
					    .p2 = 0x9A, .data = big, .nc = ncs[i],
					    .ne = nes[j]};
			struct tm_apdu b;
			size_t len;
			bool ext;

			assert_int_equal(tm_apdu_encode(&a, out, sizeof(out), &len), TM_OK);
			assert_int_equal(tm_apdu_decode(out, len, &b, &ext), TM_OK);
			assert_int_equal(b.cla, a.cla);
			assert_int_equal(b.ins, a.ins);
			assert_int_equal(b.p1, a.p1);
			assert_int_equal(b.p2, a.p2);
			assert_int_equal(b.nc, a.nc);
			assert_int_equal(b.ne, a.ne);
			assert_int_equal(ext, tm_apdu_is_extended(&a));
			if (a.nc > 0)
				assert_memory_equal(b.data, big, a.nc);
		}
	}
}

static void expect_malformed(const char *hex)
{
	uint8_t in[64];
	long n = tm_hex_decode(hex, in, sizeof(in));
	struct tm_apdu a;

	assert_true(n >= 0);
	if (tm_apdu_decode(in, (size_t)n, &a, NULL) != TM_ERR_MALFORMED)
		fail_msg("accepted malformed APDU %s", hex);
}

static void test_decode_malformed(void **state)
{
	(void)state;
	expect_malformed("");
	expect_malformed("00");
	expect_malformed("00A404");
	expect_malformed("00A40400 03 0102");        /* Lc 3, two bytes */
	expect_malformed("00A40400 02 010203 00 00"); /* two bytes too many */
	expect_malformed("00A40400 00 01");          /* B1 = 0, length 2 */
	/* (B1 = 0 with length 3, "00 0001", is case 2E with Ne = 1.) */
	expect_malformed("00A40400 00 0000 AA");     /* extended Lc = 0 */
	expect_malformed("00A40400 00 0002 AA");     /* extended, short data */
	expect_malformed("00A40400 00 0001 AA 00");  /* Le of one byte */
	expect_malformed("00A40400 00 0001 AA 000000"); /* Le of three */
	assert_int_equal(tm_apdu_decode(NULL, 4, &(struct tm_apdu){0}, NULL),
			 TM_ERR_MALFORMED);
}

static void test_decode_forms(void **state)
{
	(void)state;
	uint8_t in[16];
	struct tm_apdu a;
	bool ext;

	/* 00A40400 00 is case 2S with Ne = 256, not an extended APDU. */
	long n = tm_hex_decode("00A40400 00", in, sizeof(in));
	assert_int_equal(tm_apdu_decode(in, (size_t)n, &a, &ext), TM_OK);
	assert_int_equal(a.ne, 256);
	assert_false(ext);
	n = tm_hex_decode("00A40400 000000", in, sizeof(in));
	assert_int_equal(tm_apdu_decode(in, (size_t)n, &a, &ext), TM_OK);
	assert_int_equal(a.ne, 65536);
	assert_int_equal(a.nc, 0);
	assert_true(ext);
	/* A short case 3 whose data happens to look like a length. */
	n = tm_hex_decode("00A40400 02 0000", in, sizeof(in));
	assert_int_equal(tm_apdu_decode(in, (size_t)n, &a, &ext), TM_OK);
	assert_int_equal(a.nc, 2);
	assert_int_equal(a.ne, 0);
}

static void test_response(void **state)
{
	(void)state;
	const uint8_t r[] = {0x01, 0x02, 0x63, 0xC2};
	const uint8_t *data;
	size_t len;
	uint16_t sw;
	uint8_t buf[8];

	assert_int_equal(tm_rapdu_split(r, sizeof(r), &data, &len, &sw), TM_OK);
	assert_int_equal(len, 2);
	assert_ptr_equal(data, r);
	assert_int_equal(sw, 0x63C2);
	assert_int_equal(tm_rapdu_split(r, 1, &data, &len, &sw), TM_ERR_MALFORMED);
	assert_int_equal(tm_rapdu_encode(r, 2, 0x9000, buf, sizeof(buf), &len), TM_OK);
	assert_int_equal(len, 4);
	assert_memory_equal(buf, "\x01\x02\x90\x00", 4);
	assert_int_equal(tm_rapdu_encode(r, 2, 0x9000, buf, 3, &len),
			 TM_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(tm_rapdu_encode(NULL, 2, 0x9000, buf, 8, &len), TM_ERR_ARGS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_cases),
		cmocka_unit_test(test_extended_cases),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_round_trip_boundaries),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_decode_forms),
		cmocka_unit_test(test_response),
	};
	return cmocka_run_group_tests_name("apdu", tests, NULL, NULL);
}
