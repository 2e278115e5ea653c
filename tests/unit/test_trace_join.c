/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Joining a trace's exchanges: 61xx and GET RESPONSE, command chaining,
 * secrets and private data kept so, and what must not be joined. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/trace.h"
#include "apdu/trace_join.h"

static struct tm_trace_join *j;
static struct tm_trace_rec *in, *out;
static int emitted;
static uint64_t number;

static int setup(void **state)
{
	(void)state;
	j = calloc(1, sizeof(*j));
	in = calloc(1, sizeof(*in));
	out = calloc(8, sizeof(*out));
	if (j == NULL || in == NULL || out == NULL)
		return 1;
	tm_trace_join_init(j);
	emitted = 0;
	number = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(j);
	free(in);
	free(out);
	return 0;
}

static void collect(const struct tm_trace_rec *r, void *ctx)
{
	(void)ctx;
	assert_true(emitted < 8);
	memcpy(&out[emitted++], r, sizeof(*r));
}

static size_t unhex(const char *h, uint8_t *b)
{
	size_t n = 0;
	for (; h[0] && h[1]; h += 2)
		sscanf(h, "%2hhx", &b[n++]);
	return n;
}

/* The next exchange in `in`, not fed yet: cmd and resp in hex ("" resp:
 * none), from the reader given. */
static struct tm_trace_rec *next(const char *reader, const char *cmd, const char *resp)
{
	memset(in, 0, offsetof(struct tm_trace_rec, cmd));
	strcpy(in->reader, reader);
	in->process = 1;
	in->number = in->number_last = number++;
	in->cmd_len = unhex(cmd, in->cmd);
	in->has_resp = resp[0] != '\0';
	in->resp_len = unhex(resp, in->resp);
	return in;
}

static void push(void)
{
	tm_trace_join_feed(j, in, collect, NULL);
}

static void feed(const char *cmd, const char *resp, uint32_t us)
{
	next("r", cmd, resp)->duration_us = us;
	push();
}

static void assert_hex(const uint8_t *b, size_t n, const char *want)
{
	uint8_t w[512];
	size_t wn = unhex(want, w);
	assert_int_equal(n, wn);
	assert_memory_equal(b, w, n);
}

static void test_get_response_joined(void **state)
{
	(void)state;
	feed("00CA00A504", "A56CC001616A", 100);
	feed("00C0000004", "03C10861610C", 200);
	assert_int_equal(emitted, 0); /* still 61xx: more to come */
	feed("00C000000C", "6B617A746F6B656E9000", 300);
	assert_int_equal(emitted, 1);
	assert_hex(out[0].cmd, out[0].cmd_len, "00CA00A504");
	assert_hex(out[0].resp, out[0].resp_len, "A56CC00103C108616B617A746F6B656E9000");
	assert_int_equal(out[0].joined, 2);
	assert_int_equal(out[0].number, 0);
	assert_int_equal(out[0].number_last, 2);
	assert_int_equal(out[0].duration_us, 600);
}

static void test_chain_joined(void **state)
{
	(void)state;
	feed("10E0000008620F80020006A509", "9000", 10);
	assert_int_equal(emitted, 0);
	feed("00E0000009C10102C20101C4014400", "830200019000", 20);
	assert_int_equal(emitted, 1);
	assert_hex(out[0].cmd, out[0].cmd_len, "00E0000011620F80020006A509C10102C20101C4014400");
	assert_hex(out[0].resp, out[0].resp_len, "830200019000");
	assert_int_equal(out[0].joined, 1);
}

static void test_chain_then_get_response(void **state)
{
	(void)state;
	feed("10D7000103540200", "9000", 1);
	feed("00D70001055303414243", "6102", 1);
	feed("00C0000002", "AABB9000", 1);
	assert_int_equal(emitted, 1);
	assert_hex(out[0].cmd, out[0].cmd_len, "00D70001085402005303414243");
	assert_hex(out[0].resp, out[0].resp_len, "AABB9000");
	assert_int_equal(out[0].joined, 2);
}

/* A masked exchange, as a trace has it: the header and the length. */
static void feed_secret(const char *header, size_t hidden, const char *resp)
{
	next("r", header, resp)->sensitive = true;
	in->hidden_len = hidden;
	push();
}

/* A secret piece makes the whole command a secret: header and length,
 * the clear pieces' bytes counted, not kept. */
static void test_secret_chain_stays_secret(void **state)
{
	(void)state;
	feed("1024008102AABB", "9000", 1);
	feed_secret("10240081", 3, "9000");
	feed("0024008101FF", "63C2", 1);
	assert_int_equal(emitted, 1);
	assert_true(out[0].sensitive);
	assert_int_equal(out[0].cmd_len, 4);
	assert_int_equal(out[0].hidden_len, 6);
	assert_hex(out[0].cmd, 4, "00240081");
	for (size_t i = 0; i < sizeof(j->data); i++)
		assert_int_equal(j->data[i], 0); /* nothing of it stays behind */
}

static void test_private_piece_makes_it_private(void **state)
{
	(void)state;
	feed("00B1000104540200000A", "0102030405616A", 1);
	next("r", "00C0000005", "9000")->private_response = true;
	in->resp_hidden = 5;
	push();
	assert_int_equal(emitted, 1);
	assert_true(out[0].private_response);
	assert_int_equal(out[0].resp_hidden, 10);
	assert_hex(out[0].resp, out[0].resp_len, "9000");
}

static void test_not_joined(void **state)
{
	(void)state;
	/* 61xx, then something else than GET RESPONSE: both as they are. */
	feed("00CA00A504", "A56CC001616A", 1);
	feed("00A4040007F054554D41520100", "9000", 1);
	assert_int_equal(emitted, 2);
	assert_hex(out[0].resp, out[0].resp_len, "A56CC001616A");
	assert_int_equal(out[0].joined, 0);
	/* A chain abandoned for another command keeps its chaining bit. */
	feed("10E0000002620F", "9000", 1);
	feed("0084000008", "01020304050607089000", 1);
	assert_int_equal(emitted, 4);
	assert_int_equal(out[2].cmd[0], 0x10);
	assert_int_equal(out[2].joined, 0);
	/* A chain piece the card refused is not a chain. */
	feed("10E0000002620F", "6700", 1);
	assert_int_equal(emitted, 5);
	/* Another reader's GET RESPONSE is not this one's. */
	feed("00CA00A504", "A56CC001616A", 1);
	next("other", "00C000006A", "9000");
	push();
	assert_int_equal(emitted, 7);
	tm_trace_join_flush(j, collect, NULL);
	assert_int_equal(emitted, 7);
}

static void test_flush_emits_what_is_held(void **state)
{
	(void)state;
	feed("00CA00A504", "A56CC001616A", 1);
	assert_int_equal(emitted, 0);
	tm_trace_join_flush(j, collect, NULL);
	assert_int_equal(emitted, 1);
	assert_false(j->have);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_response_joined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_joined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_then_get_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_chain_stays_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_piece_makes_it_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_joined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_emits_what_is_held, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
