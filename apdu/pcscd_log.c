/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "pcscd_log.h"

#include <string.h>

#include <openssl/crypto.h>

#include "rc.h"

void tm_pcscd_log_init(struct tm_pcscd_log *l)
{
	memset(l, 0, sizeof(*l));
}

/* cmd_len counts every byte parse_hex wrote, also of a line it refused,
 * so only those are wiped, not the whole 64 KiB buffer per exchange. */
static void wipe(struct tm_pcscd_log *l)
{
	OPENSSL_cleanse(l->cmd, l->cmd_len);
	l->cmd_len = 0;
	l->pending = false;
}

/* "HH HH HH" with blanks after each pair, up to the end of the line. */
static int parse_hex(const char *p, const char *end, uint8_t *out, size_t cap, size_t *n)
{
	*n = 0;
	while (p < end && (*p == ' ' || *p == '\r' || *p == '\n'))
		p++;
	while (p < end) {
		int hi = end - p < 2 ? -1 : OPENSSL_hexchar2int((unsigned char)p[0]);
		int lo = hi < 0 ? -1 : OPENSSL_hexchar2int((unsigned char)p[1]);
		if (lo < 0 || *n == cap)
			return TM_ERR_MALFORMED;
		out[(*n)++] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (p < end && *p != ' ' && *p != '\r' && *p != '\n')
			return TM_ERR_MALFORMED;
		while (p < end && (*p == ' ' || *p == '\r' || *p == '\n'))
			p++;
	}
	return TM_OK;
}

/* The line's leading delta in microseconds (pcscd's first field), or 0. */
static int64_t leading_delta(const char *p, const char *end)
{
	int64_t v = 0;
	int digits = 0;

	while (p < end && *p == ' ')
		p++;
	for (; p < end && *p >= '0' && *p <= '9' && digits < 15; p++, digits++)
		v = v * 10 + (*p - '0');
	return digits > 0 && p < end && *p == ' ' ? v : 0;
}

static const char *find(const char *line, size_t len, const char *what)
{
	size_t n = strlen(what);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(line + i, what, n) == 0 && (i == 0 || line[i - 1] == ' '))
			return line + i + n;
	return NULL;
}

/* Moves the pending command into rec, masked when it carries a secret. */
static void emit_command(struct tm_pcscd_log *l, struct tm_trace_rec *rec)
{
	tm_trace_rec_command(rec, l->cmd, l->cmd_len);
	rec->seq = ++l->seq;
	rec->time_us = l->cmd_at_us;
	wipe(l);
}

int tm_pcscd_log_line(struct tm_pcscd_log *l, const char *line, size_t len,
		      struct tm_trace_rec *rec)
{
	const char *end = line + len, *p;
	int64_t delta;
	size_t n;
	int rc;

	if (l == NULL || line == NULL || rec == NULL)
		return TM_ERR_ARGS;
	delta = leading_delta(line, end);
	if ((p = find(line, len, "APDU: ")) != NULL) {
		bool had = l->pending;
		if (had)
			emit_command(l, rec); /* the earlier one was never answered */
		l->clock_us += delta;
		rc = parse_hex(p, end, l->cmd, sizeof(l->cmd), &n);
		l->cmd_len = n;
		if (rc != TM_OK || n < 4) {
			wipe(l);
			return had ? TM_OK : TM_ERR_MALFORMED;
		}
		l->cmd_at_us = l->clock_us;
		l->pending = true;
		return had ? TM_OK : TM_ERR_NOT_FOUND;
	}
	if ((p = find(line, len, "SW: ")) != NULL) {
		l->clock_us += delta;
		if (!l->pending)
			return TM_ERR_MALFORMED;
		rc = parse_hex(p, end, rec->resp, sizeof(rec->resp), &n);
		if (rc != TM_OK || n < 2) {
			wipe(l);
			return TM_ERR_MALFORMED;
		}
		emit_command(l, rec);
		rec->has_resp = true;
		rec->resp_len = n;
		rec->duration_us = (uint32_t)(l->clock_us - rec->time_us);
		return TM_OK;
	}
	l->clock_us += delta;
	return TM_ERR_NOT_FOUND;
}

int tm_pcscd_log_finish(struct tm_pcscd_log *l, struct tm_trace_rec *rec)
{
	if (l == NULL || rec == NULL)
		return TM_ERR_ARGS;
	if (!l->pending) {
		wipe(l);
		return TM_ERR_NOT_FOUND;
	}
	emit_command(l, rec);
	return TM_OK;
}
