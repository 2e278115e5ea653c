/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "script.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/rc.h"

long tm_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex), j = 0, len = 0;
	char *compact = OPENSSL_malloc(n + 1);

	if (compact == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (hex[i] != ' ' && hex[i] != ':')
			compact[j++] = hex[i];
	compact[j] = '\0';
	int ok = j == 0 || OPENSSL_hexstr2buf_ex(out, cap, &len, compact, '\0');
	OPENSSL_free(compact);
	return ok ? (long)len : -1;
}

void tm_script_init(struct tm_script *s, const struct tm_script_step *steps,
		    size_t count)
{
	memset(s, 0, sizeof(*s));
	s->steps = steps;
	s->count = count;
}

static void fail(struct tm_script *s, const char *why, const uint8_t *cmd,
		 size_t len)
{
	char hex[2 * 64 + 1] = "(empty)";
	size_t n = len > 64 ? 64 : len;

	if (s->failure[0] != '\0')
		return; /* keep the first difference: later ones follow from it */
	if (n > 0)
		OPENSSL_buf2hexstr_ex(hex, sizeof(hex), NULL, cmd, n, '\0');
	snprintf(s->failure, sizeof(s->failure), "step %zu: %s; got %s%s", s->pos,
		 why, hex, len > 64 ? "..." : "");
}

static int script_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len,
			   uint8_t *resp, size_t *resp_len)
{
	struct tm_script *s = ctx;
	static uint8_t want[TM_APDU_MAX_COMMAND];

	if (s->pos >= s->count) {
		fail(s, "no more commands expected", cmd, cmd_len);
		return TM_ERR_TRANSPORT;
	}
	const struct tm_script_step *st = &s->steps[s->pos];
	long n = tm_hex_decode(st->cmd, want, sizeof(want));
	if (n < 0) {
		fail(s, "bad hex in the script's command", cmd, cmd_len);
		return TM_ERR_TRANSPORT;
	}
	if ((size_t)n != cmd_len || memcmp(want, cmd, cmd_len) != 0) {
		char why[200];
		snprintf(why, sizeof(why), "expected %.120s", st->cmd);
		fail(s, why, cmd, cmd_len);
		return TM_ERR_TRANSPORT;
	}
	s->pos++;
	if (st->rc != 0)
		return st->rc;
	n = tm_hex_decode(st->resp, resp, *resp_len);
	if (n < 0) {
		fail(s, "bad hex in the script's response", cmd, cmd_len);
		return TM_ERR_TRANSPORT;
	}
	*resp_len = (size_t)n;
	return TM_OK;
}

struct tm_transport tm_script_transport(struct tm_script *s)
{
	return (struct tm_transport){.transmit = script_transmit, .ctx = s};
}

const char *tm_script_check(const struct tm_script *s)
{
	static char msg[700];

	if (s->failure[0] != '\0')
		return s->failure;
	if (s->pos != s->count) {
		snprintf(msg, sizeof(msg), "only %zu of %zu steps ran; next expected %.120s",
			 s->pos, s->count, s->steps[s->pos].cmd);
		return msg;
	}
	return NULL;
}
