/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "pcsc_spy_log.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hexdump.h"
#include "rc.h"

enum { CALL_OTHER, CALL_CONNECT, CALL_TRANSMIT };

void tm_spy_log_init(struct tm_spy_log *l)
{
	memset(l, 0, offsetof(struct tm_spy_log, cmd));
}

static void end_call(struct tm_spy_log *l)
{
	OPENSSL_cleanse(l->cmd, l->cmd_used);
	OPENSSL_cleanse(l->resp, l->resp_used);
	l->cmd_used = l->resp_used = 0;
	l->call = CALL_OTHER;
	l->dump = 0;
	l->send_len = l->recv_len = l->want = l->got = 0;
	l->have_send = l->have_recv = false;
	l->card = 0;
}

static bool starts(const char *p, const char *end, const char *what)
{
	size_t n = strlen(what);
	return (size_t)(end - p) >= n && memcmp(p, what, n) == 0;
}

/* "0x0BCB5022" or a decimal: the number, or false. */
static bool number(const char *p, const char *end, unsigned long *v)
{
	int base = 10, nd = 0;

	*v = 0;
	if (starts(p, end, "0x")) {
		base = 16;
		p += 2;
	}
	for (; p < end && nd < 16; p++, nd++) {
		int d = base == 16 ? OPENSSL_hexchar2int((unsigned char)*p)
				   : (*p >= '0' && *p <= '9' ? *p - '0' : -1);
		if (d < 0)
			break;
		*v = *v * (unsigned long)base + (unsigned long)d;
	}
	return nd > 0;
}

/* "... (N)" at the end of a length line. */
static bool paren_number(const char *p, const char *end, size_t *v)
{
	const char *o = NULL;
	unsigned long n;

	for (const char *q = p; q < end; q++)
		if (*q == '(')
			o = q;
	if (o == NULL || !number(o + 1, end, &n) || n > 1u << 20)
		return false;
	*v = n;
	return true;
}

static const char *reader_of(const struct tm_spy_log *l, unsigned long h)
{
	for (unsigned i = 0; i < TM_SPY_HANDLES; i++)
		if (l->handles[i].handle == h && h != 0)
			return l->handles[i].reader;
	return "";
}

/* " i  0000 XX XX ..." after the direction marker and its space. */
static int dump_line(struct tm_spy_log *l, const char *p, const char *end)
{
	uint8_t *out = l->dump == 1 ? l->cmd : l->resp;
	size_t cap = l->dump == 1 ? sizeof(l->cmd) : sizeof(l->resp);
	size_t take = l->want - l->got < 16 ? l->want - l->got : 16;
	unsigned long off = 0;

	while (p < end && *p == ' ')
		p++;
	if (end - p < 5 || p[4] != ' ')
		return TM_ERR_MALFORMED;
	for (int i = 0; i < 4; i++) { /* the offset, in hex */
		int d = OPENSSL_hexchar2int((unsigned char)p[i]);
		if (d < 0)
			return TM_ERR_MALFORMED;
		off = off << 4 | (unsigned long)d;
	}
	if (off != (l->got & 0xFFFF))
		return TM_ERR_MALFORMED;
	p += 5;
	if (take > cap - l->got)
		return TM_ERR_MALFORMED;
	/* What may be written, even by a line that then fails, is wiped later. */
	size_t *used = l->dump == 1 ? &l->cmd_used : &l->resp_used;
	if (l->got + take > *used)
		*used = l->got + take;
	if (tm_hexdump_pairs(p, (size_t)(end - p), take, out + l->got) != TM_OK)
		return TM_ERR_MALFORMED;
	l->got += take;
	if (l->got == l->want) {
		if (l->dump == 1)
			l->have_send = true;
		else
			l->have_recv = true;
		l->dump = 0;
	}
	return TM_OK;
}

/* " => TEXT [S.UUUUUU]": the call's time in microseconds, or 0. */
static uint32_t call_time(const char *p, const char *end)
{
	const char *o = NULL;
	unsigned long s, us;

	for (const char *q = p; q < end; q++)
		if (*q == '[')
			o = q;
	if (o == NULL || !number(o + 1, end, &s))
		return 0;
	const char *dot = memchr(o, '.', (size_t)(end - o));
	if (dot == NULL || end - dot < 7 || !number(dot + 1, dot + 7, &us) || s > 4000)
		return 0;
	return (uint32_t)(s * 1000000u + us);
}

static bool find_success(const char *p, const char *end)
{
	static const char ok[] = "SCARD_S_SUCCESS";
	for (; end - p >= (ptrdiff_t)sizeof(ok) - 1; p++)
		if (memcmp(p, ok, sizeof(ok) - 1) == 0)
			return true;
	return false;
}

static void emit(struct tm_spy_log *l, struct tm_trace_rec *rec, bool ok, uint32_t us)
{
	tm_trace_rec_command(rec, l->cmd, l->send_len);
	rec->seq = l->seq++;
	rec->duration_us = us;
	snprintf(rec->reader, sizeof(rec->reader), "%s", reader_of(l, l->card));
	rec->has_resp = ok;
	rec->resp_len = ok ? l->recv_len : 0;
	if (ok)
		memcpy(rec->resp, l->resp, l->recv_len);
}

static int param(struct tm_spy_log *l, char dir, const char *p, const char *end)
{
	if (l->dump && ((l->dump == 1 && dir == 'i') || (l->dump == 2 && dir == 'o')))
		return dump_line(l, p, end) == TM_OK ? TM_ERR_NOT_FOUND : TM_ERR_MALFORMED;
	if (l->dump)
		return TM_ERR_MALFORMED; /* a buffer cut short */
	if (l->call == CALL_CONNECT) {
		if (dir == 'i' && starts(p, end, "szReader ")) {
			size_t n = (size_t)(end - p) - 9;
			if (n > TM_TRACE_MAX_READER)
				n = TM_TRACE_MAX_READER;
			memcpy(l->connect_reader, p + 9, n);
			l->connect_reader[n] = '\0';
		} else if (dir == 'o' && starts(p, end, "phCard ")) {
			unsigned long h;
			if (number(p + 7, end, &h)) {
				unsigned i = l->next_handle++ % TM_SPY_HANDLES;
				l->handles[i].handle = h;
				memcpy(l->handles[i].reader, l->connect_reader, sizeof(l->handles[i].reader));
			}
		}
		return TM_ERR_NOT_FOUND;
	}
	if (l->call != CALL_TRANSMIT)
		return TM_ERR_NOT_FOUND;
	if (dir == 'i' && starts(p, end, "hCard: "))
		number(p + 7, end, &l->card);
	else if (dir == 'i' && starts(p, end, "bSendLength "))
		return paren_number(p, end, &l->send_len) && l->send_len <= sizeof(l->cmd)
			       ? TM_ERR_NOT_FOUND : TM_ERR_MALFORMED;
	else if (dir == 'o' && starts(p, end, "bRecvLength "))
		return paren_number(p, end, &l->recv_len) && l->recv_len <= sizeof(l->resp)
			       ? TM_ERR_NOT_FOUND : TM_ERR_MALFORMED;
	else if ((dir == 'i' && starts(p, end, "bSendBuffer")) || (dir == 'o' && starts(p, end, "bRecvBuffer"))) {
		l->dump = dir == 'i' ? 1 : 2;
		l->want = dir == 'i' ? l->send_len : l->recv_len;
		l->got = 0;
		if (l->want == 0)
			l->dump = 0;
	}
	return TM_ERR_NOT_FOUND;
}

int tm_spy_log_line(struct tm_spy_log *l, const char *line, size_t len,
		    struct tm_trace_rec *rec)
{
	const char *p = line, *end = line + len;

	if (l == NULL || line == NULL || rec == NULL)
		return TM_ERR_ARGS;
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	/* Thread indentation, and -t's "(tN) ". */
	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '(') {
		const char *q = memchr(p, ')', (size_t)(end - p));
		if (q != NULL && q - p <= 8 && p[1] == 't')
			p = q + 1;
	}
	if (p < end && *p == ' ')
		p++;
	if (starts(p, end, "i ") || starts(p, end, "o ")) {
		int rc = param(l, *p, p + 2, end);
		if (rc == TM_ERR_MALFORMED)
			end_call(l);
		return rc;
	}
	if (starts(p, end, "=> ")) {
		int rc = TM_ERR_NOT_FOUND;
		if (l->call == CALL_TRANSMIT) {
			bool ok = find_success(p, end);
			if (l->have_send && l->send_len >= 4 && (!ok || (l->have_recv && l->recv_len >= 2))) {
				emit(l, rec, ok, call_time(p, end));
				rc = TM_OK;
			} else if (l->dump || (ok && !l->have_recv) || !l->have_send) {
				rc = TM_ERR_MALFORMED;
			}
		}
		end_call(l);
		return rc;
	}
	if (starts(p, end, "SCard")) {
		if (l->call == CALL_TRANSMIT)
			end_call(l); /* the last one had no result line */
		l->call = starts(p, end, "SCardTransmit") ? CALL_TRANSMIT
			  : starts(p, end, "SCardConnect") ? CALL_CONNECT : CALL_OTHER;
		return TM_ERR_NOT_FOUND;
	}
	return TM_ERR_NOT_FOUND;
}

void tm_spy_log_finish(struct tm_spy_log *l)
{
	if (l != NULL)
		end_call(l);
}
