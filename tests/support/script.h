/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A scripted transport for tests: the expected commands in order, each
 * with the response the "card" gives.  Any difference (another command,
 * one too many, one too few) is recorded; tm_script_check() reports it.
 * Hex strings may contain spaces (and colons) for readability.  Not
 * thread-safe: one script runs at a time.
 */
#ifndef TUMAR_TESTS_SCRIPT_H
#define TUMAR_TESTS_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/transceive.h"

struct tm_script_step {
	const char *cmd;  /* expected command, hex */
	const char *resp; /* response, hex (data then SW) */
	int rc;           /* non-zero: the transport fails with this code */
};

struct tm_script {
	const struct tm_script_step *steps;
	size_t count;
	size_t pos;
	char failure[600]; /* the first difference; "" while there is none */
};

void tm_script_init(struct tm_script *s, const struct tm_script_step *steps,
		    size_t count);

/* A transport whose context is s. */
struct tm_transport tm_script_transport(struct tm_script *s);

/* NULL when every step ran and nothing differed; otherwise why not. */
const char *tm_script_check(const struct tm_script *s);

/* Hex (spaces ignored) into out; returns the byte count, or -1. */
long tm_hex_decode(const char *hex, uint8_t *out, size_t cap);

/* For cmocka tests: fail with the script's message. */
#define assert_script_done(s)                                   \
	do {                                                    \
		const char *why_ = tm_script_check(s);          \
		if (why_ != NULL)                               \
			fail_msg("scripted transport: %s", why_); \
	} while (0)

/* A step that answers resp; a step where the transport fails with rc. */
#define TM_STEP(c, r) {.cmd = (c), .resp = (r)}
#define TM_STEP_FAIL(c, code) {.cmd = (c), .rc = (code)}

#define TM_SCRIPT_STEPS(arr) (arr), (sizeof(arr) / sizeof((arr)[0]))

#endif
