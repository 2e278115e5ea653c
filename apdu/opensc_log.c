/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "opensc_log.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hexdump.h"
#include "rc.h"

void tm_opensc_log_init(struct tm_opensc_log *l)
{
	memset(l, 0, offsetof(struct tm_opensc_log, cmd));
}

/* Wipes only the bytes written: got counts the command's while its dump
 * is read (dump 1), the response's after; the whole 64 KiB buffer for
 * each exchange made a long log slow to read. */
static void wipe(struct tm_opensc_log *l)
{
	size_t cmd_used = l->dump == 1 && l->got > l->cmd_len ? l->got : l->cmd_len;

	OPENSSL_cleanse(l->cmd, cmd_used);
	if (l->dump != 1)
		OPENSSL_cleanse(l->resp, l->got);
	l->pending = false;
	l->dump = 0;
	l->cmd_len = l->want = l->got = 0;
}

static const char *find(const char *p, size_t len, const char *what)
{
	size_t n = strlen(what);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(p + i, what, n) == 0)
			return p + i + n;
	return NULL;
}

static bool digits(const char *p, const char *end, int n, long *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (p + i >= end || p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (p[i] - '0');
	}
	return true;
}

/* "P:PID; T:THREAD [DATE ]HH:MM:SS.mmm [prog] ...": the PID and the time. */
static bool prefix(struct tm_opensc_log *l, const char *line, size_t len)
{
	const char *end = line + len, *p = line + 2;
	unsigned long pid = 0;
	long h, m, s, ms;
	int nd = 0;

	if (len < 2 || line[0] != 'P' || line[1] != ':')
		return false;
	for (; p < end && *p >= '0' && *p <= '9' && nd < 10; p++, nd++)
		pid = pid * 10 + (unsigned long)(*p - '0');
	if (nd == 0 || p >= end || *p != ';')
		return false;
	l->pid = pid;
	/* The time is the first "HH:MM:SS.mmm" after the thread. */
	for (p = line; p + 12 <= end; p++)
		if (p[2] == ':' && p[5] == ':' && p[8] == '.' && digits(p, end, 2, &h) &&
		    digits(p + 3, end, 2, &m) && digits(p + 6, end, 2, &s) &&
		    digits(p + 9, end, 3, &ms)) {
			l->clock_us = ((h * 60 + m) * 60 + s) * 1000000LL + ms * 1000LL;
			break;
		}
	/* "... pcsc_transmit: reader 'NAME'" */
	const char *r = find(line, len, "reader '");
	if (r != NULL) {
		const char *q = memchr(r, '\'', (size_t)(end - r));
		size_t n = q ? (size_t)(q - r) : 0;
		if (q != NULL && n <= TM_TRACE_MAX_READER) {
			memcpy(l->reader, r, n);
			l->reader[n] = '\0';
		}
	}
	return true;
}

/* "Outgoing APDU (N bytes):" and "Incoming APDU (N bytes):". */
static int header(const char *line, size_t len, size_t *n)
{
	static const char *const kinds[] = {"Outgoing APDU (", "Incoming APDU ("};

	for (int k = 0; k < 2; k++) {
		size_t kl = strlen(kinds[k]);
		if (len < kl || memcmp(line, kinds[k], kl) != 0)
			continue;
		const char *p = line + kl, *end = line + len;
		size_t v = 0;
		int nd = 0;
		for (; p < end && *p >= '0' && *p <= '9' && nd < 6; p++, nd++)
			v = v * 10 + (size_t)(*p - '0');
		if (nd == 0 || (size_t)(end - p) < 8 || memcmp(p, " bytes):", 8) != 0)
			return -1;
		*n = v;
		return k + 1;
	}
	return 0;
}

/* A dump line: up to 16 "XX " pairs (the rest of the line is ASCII). */
static int dump_line(struct tm_opensc_log *l, const char *line, size_t len)
{
	uint8_t *out = l->dump == 1 ? l->cmd : l->resp;
	size_t cap = l->dump == 1 ? sizeof(l->cmd) : sizeof(l->resp);
	size_t take = l->want - l->got < 16 ? l->want - l->got : 16;

	if (take > cap - l->got || tm_hexdump_pairs(line, len, take, out + l->got) != TM_OK)
		return TM_ERR_MALFORMED;
	l->got += take;
	return TM_OK;
}

static void emit(struct tm_opensc_log *l, struct tm_trace_rec *rec, bool answered)
{
	tm_trace_rec_command(rec, l->cmd, l->cmd_len);
	rec->seq = l->seq++;
	rec->time_us = l->cmd_at_us;
	memcpy(rec->reader, l->reader, sizeof(rec->reader));
	rec->has_resp = answered;
	rec->resp_len = answered ? l->got : 0;
	if (answered) {
		memcpy(rec->resp, l->resp, l->got);
		int64_t d = l->clock_us - l->cmd_at_us;
		rec->duration_us = d < 0 ? 0 : d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	}
	l->rec_pid = l->pid;
	wipe(l);
}

int tm_opensc_log_line(struct tm_opensc_log *l, const char *line, size_t len,
		       struct tm_trace_rec *rec)
{
	size_t n;
	int kind;

	if (l == NULL || line == NULL || rec == NULL)
		return TM_ERR_ARGS;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (l->dump) {
		if (dump_line(l, line, len) != TM_OK) {
			wipe(l); /* a dump cut short: the exchange is lost */
			return TM_ERR_MALFORMED;
		}
		if (l->got < l->want)
			return TM_ERR_NOT_FOUND;
		if (l->dump == 1) {
			if (l->got < 4) {
				wipe(l);
				return TM_ERR_MALFORMED;
			}
			l->cmd_len = l->got;
			l->got = 0;
			l->dump = 0;
			l->pending = true;
			return TM_ERR_NOT_FOUND;
		}
		if (l->got < 2) {
			wipe(l);
			return TM_ERR_MALFORMED;
		}
		emit(l, rec, true);
		return TM_OK;
	}
	if (prefix(l, line, len))
		return TM_ERR_NOT_FOUND;
	kind = header(line, len, &n);
	if (kind < 0)
		return TM_ERR_MALFORMED;
	if (kind == 0)
		return TM_ERR_NOT_FOUND;
	if (kind == 1) {
		bool had = l->pending;
		if (had)
			emit(l, rec, false); /* the earlier one was never answered */
		l->cmd_at_us = l->clock_us;
		if (n < 4 || n > sizeof(l->cmd)) {
			wipe(l);
			return had ? TM_OK : TM_ERR_MALFORMED;
		}
		l->dump = 1;
		l->want = n;
		l->got = 0;
		return had ? TM_OK : TM_ERR_NOT_FOUND;
	}
	if (!l->pending || n < 2 || n > sizeof(l->resp)) {
		wipe(l);
		return TM_ERR_MALFORMED;
	}
	l->dump = 2;
	l->want = n;
	l->got = 0;
	return TM_ERR_NOT_FOUND;
}

int tm_opensc_log_finish(struct tm_opensc_log *l, struct tm_trace_rec *rec)
{
	int rc = TM_ERR_NOT_FOUND;

	if (l == NULL || rec == NULL)
		return TM_ERR_ARGS;
	if (l->pending) {
		emit(l, rec, false);
		rc = TM_OK;
	}
	wipe(l);
	return rc;
}
