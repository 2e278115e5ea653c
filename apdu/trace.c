/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "trace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <openssl/crypto.h>

#include "protocol.h"
#include "rc.h"

#define TRACE_TAG "TM1 "
#define TIME_LEN 27 /* YYYY-MM-DDTHH:MM:SS.uuuuuuZ */

bool tm_trace_is_secret(const uint8_t *cmd, size_t len)
{
	if (cmd == NULL || len < 5)
		return false; /* no data */
	if ((cmd[0] & ~TM_CLA_CHAIN) == TM_CLA_PROPRIETARY)
		return cmd[1] == TM_INS_IMPORT_KEY; /* a private key, each piece of it */
	if ((cmd[0] & 0x80) != 0)
		return false; /* another proprietary class */
	switch (cmd[1]) {
	case TM_INS_VERIFY:
	case TM_INS_VERIFY + 1: /* odd-INS VERIFY */
	case TM_INS_CHANGE_REFERENCE_DATA:
	case TM_INS_RESET_RETRY_COUNTER:
		return true;
	default:
		return false;
	}
}

static bool reader_char_plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || strchr("._:()+,-", c) != NULL;
}

static size_t put_reader(char *out, const char *reader)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	/* A lone "-" would read back as "no reader". */
	if (reader == NULL || reader[0] == '\0') {
		out[n++] = '-';
		return n;
	}
	for (const unsigned char *p = (const unsigned char *)reader; *p; p++) {
		if (reader_char_plain(*p) && !(*p == '-' && reader[1] == '\0')) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 0x0F];
		}
	}
	return n;
}

static size_t put_hex(char *out, const uint8_t *p, size_t len)
{
	size_t n = 0;

	/* OPENSSL_buf2hexstr_ex writes a NUL, for which out has room. */
	if (len > 0 && !OPENSSL_buf2hexstr_ex(out, 2 * len + 1, &n, p, len, '\0'))
		return 0;
	return len > 0 ? n - 1 : 0;
}

static size_t put_time(char *out, int64_t time_us)
{
	time_t secs = (time_t)(time_us / 1000000);
	long micros = (long)(time_us % 1000000);
	struct tm tm;
	char buf[64];

	if (micros < 0) {
		micros += 1000000;
		secs--;
	}
	if (gmtime_r(&secs, &tm) == NULL || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999)
		return 0;
	int n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, micros);
	if (n != TIME_LEN)
		return 0;
	memcpy(out, buf, TIME_LEN);
	return TIME_LEN;
}

char *tm_trace_format(const struct tm_trace_event *ev, size_t *len)
{
	if (ev == NULL || ev->cmd == NULL || ev->cmd_len < 4 ||
	    ev->cmd_len > TM_APDU_MAX_COMMAND ||
	    (ev->resp != NULL && ev->resp_len > TM_APDU_MAX_RESPONSE))
		return NULL;
	size_t reader_len = ev->reader ? strlen(ev->reader) : 0;
	if (reader_len > TM_TRACE_MAX_READER)
		return NULL;

	bool secret = ev->sensitive || tm_trace_is_secret(ev->cmd, ev->cmd_len);
	size_t hidden = 0;
	if (secret) {
		struct tm_apdu a;
		/* Hide the data; a command we cannot decode hides all but
		 * its header. */
		hidden = tm_apdu_decode(ev->cmd, ev->cmd_len, &a, NULL) == TM_OK
				 ? a.nc
				 : ev->cmd_len - 4;
	}

	size_t cap = 4 + 21 + 1 + TIME_LEN + 1 + 11 + 1 + 3 * reader_len + 2 +
		     2 + 2 * ev->cmd_len + 1 + 21 + 1 + 2 * ev->resp_len + 1 + 2;
	char *line = OPENSSL_malloc(cap);
	if (line == NULL)
		return NULL;

	size_t n = 0;
	n += (size_t)snprintf(line, cap, TRACE_TAG "%" PRIu64 " ", ev->seq);
	size_t t = put_time(line + n, ev->time_us);
	if (t == 0) {
		OPENSSL_free(line);
		return NULL;
	}
	n += t;
	n += (size_t)snprintf(line + n, cap - n, " %" PRIu32 " ", ev->duration_us);
	n += put_reader(line + n, ev->reader);
	line[n++] = ' ';
	bool hide_resp = ev->private_response && ev->resp != NULL && ev->resp_len >= 2;
	if (secret)
		line[n++] = 's';
	if (hide_resp)
		line[n++] = 'p';
	if (!secret && !hide_resp)
		line[n++] = '-';
	line[n++] = ' ';
	if (secret) {
		n += put_hex(line + n, ev->cmd, 4);
		n += (size_t)snprintf(line + n, cap - n, "*%zu", hidden);
	} else {
		n += put_hex(line + n, ev->cmd, ev->cmd_len);
	}
	line[n++] = ' ';
	if (ev->resp == NULL || ev->resp_len == 0) {
		line[n++] = '-';
	} else if (hide_resp) {
		/* Private data: its length, then the status word. */
		n += (size_t)snprintf(line + n, cap - n, "*%zu:", ev->resp_len - 2);
		n += put_hex(line + n, ev->resp + ev->resp_len - 2, 2);
	} else {
		n += put_hex(line + n, ev->resp, ev->resp_len);
	}
	line[n++] = '\n';
	line[n] = '\0';
	if (len != NULL)
		*len = n;
	return line;
}

FILE *tm_trace_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (f == NULL && fd >= 0)
		close(fd);
	return f;
}

int tm_trace_write(FILE *f, const struct tm_trace_event *ev)
{
	size_t len;
	char *line;
	int rc = TM_OK;

	if (f == NULL || (line = tm_trace_format(ev, &len)) == NULL)
		return TM_ERR_ARGS;
	if (fwrite(line, 1, len, f) != len || fflush(f) != 0)
		rc = TM_ERR_TRANSPORT;
	OPENSSL_free(line);
	return rc;
}

/* --- Parsing ---------------------------------------------------------- */

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool parse_time(const char *s, int64_t *out)
{
	struct tm tm = {0};
	int year, mon, micros;

	if (strlen(s) != TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' ||
	    !digits(s, 4, &year) || !digits(s + 5, 2, &mon) ||
	    !digits(s + 8, 2, &tm.tm_mday) || !digits(s + 11, 2, &tm.tm_hour) ||
	    !digits(s + 14, 2, &tm.tm_min) || !digits(s + 17, 2, &tm.tm_sec) ||
	    !digits(s + 20, 6, &micros))
		return false;
	if (mon < 1 || mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	struct tm back = tm;
	time_t secs = timegm(&back);
	/* timegm() normalises 31 February or second 60 into another time;
	 * such a line was not written by a trace writer: refuse it. */
	if (gmtime_r(&secs, &back) == NULL || back.tm_year != tm.tm_year ||
	    back.tm_mon != tm.tm_mon || back.tm_mday != tm.tm_mday ||
	    back.tm_hour != tm.tm_hour || back.tm_min != tm.tm_min ||
	    back.tm_sec != tm.tm_sec)
		return false;
	*out = (int64_t)secs * 1000000 + micros;
	return true;
}

static bool parse_reader(const char *s, char *out)
{
	size_t n = 0;

	if (strcmp(s, "-") == 0) {
		out[0] = '\0';
		return true;
	}
	for (; *s; s++) {
		if (n >= TM_TRACE_MAX_READER)
			return false;
		if (*s == '%') {
			int hi = OPENSSL_hexchar2int((unsigned char)s[1]);
			int lo = hi < 0 ? -1 : OPENSSL_hexchar2int((unsigned char)s[2]);
			if (lo < 0 || (hi == 0 && lo == 0))
				return false;
			out[n++] = (char)(hi << 4 | lo);
			s += 2;
		} else if (reader_char_plain((unsigned char)*s)) {
			out[n++] = *s;
		} else {
			return false;
		}
	}
	out[n] = '\0';
	return n > 0;
}

static bool parse_hex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(s);

	if (n == 0 || n % 2 != 0 || n / 2 > cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (OPENSSL_hexchar2int((unsigned char)s[i]) < 0)
			return false;
	return OPENSSL_hexstr2buf_ex(out, cap, len, s, '\0') == 1;
}

static bool parse_command(const char *s, struct tm_trace_rec *rec)
{
	const char *star = strchr(s, '*');

	if (!rec->sensitive)
		return star == NULL &&
		       parse_hex(s, rec->cmd, sizeof(rec->cmd), &rec->cmd_len) &&
		       rec->cmd_len >= 4;
	if (star == NULL || star - s != 8)
		return false;
	char header[9];
	memcpy(header, s, 8);
	header[8] = '\0';
	uint64_t hidden;
	if (!parse_hex(header, rec->cmd, 4, &rec->cmd_len) ||
	    !parse_u64(star + 1, TM_APDU_MAX_NC, &hidden))
		return false;
	rec->hidden_len = (size_t)hidden;
	return true;
}

enum { F_TAG, F_SEQ, F_TIME, F_DUR, F_READER, F_FLAGS, F_CMD, F_RESP, F_COUNT };

static bool parse_fields(char **f, struct tm_trace_rec *rec)
{
	uint64_t v;

	if (!parse_u64(f[F_SEQ], UINT64_MAX, &rec->seq) ||
	    !parse_time(f[F_TIME], &rec->time_us) ||
	    !parse_u64(f[F_DUR], UINT32_MAX, &v) ||
	    !parse_reader(f[F_READER], rec->reader))
		return false;
	rec->duration_us = (uint32_t)v;

	if (strcmp(f[F_FLAGS], "-") != 0) {
		const char *fl = f[F_FLAGS];
		if (*fl == 's') {
			rec->sensitive = true;
			fl++;
		}
		if (*fl == 'p') {
			rec->private_response = true;
			fl++;
		}
		if (*fl != '\0')
			return false;
	}
	if (!parse_command(f[F_CMD], rec))
		return false;
	/* A secret command written in the clear would be a leak: refuse it
	 * rather than hand it on. */
	if (!rec->sensitive && tm_trace_is_secret(rec->cmd, rec->cmd_len))
		return false;

	if (strcmp(f[F_RESP], "-") == 0)
		return !rec->private_response;
	rec->has_resp = true;
	if (rec->private_response) {
		/* "*N:SW": N data bytes not written, then the status word. */
		const char *colon = strchr(f[F_RESP], ':');
		uint64_t hidden;
		if (f[F_RESP][0] != '*' || colon == NULL || colon - f[F_RESP] > 8)
			return false;
		char count[9];
		memcpy(count, f[F_RESP] + 1, (size_t)(colon - f[F_RESP] - 1));
		count[colon - f[F_RESP] - 1] = '\0';
		if (!parse_u64(count, TM_APDU_MAX_RESPONSE - 2, &hidden) ||
		    !parse_hex(colon + 1, rec->resp, 2, &rec->resp_len) || rec->resp_len != 2)
			return false;
		rec->resp_hidden = (size_t)hidden;
		return true;
	}
	return parse_hex(f[F_RESP], rec->resp, sizeof(rec->resp),
			 &rec->resp_len) &&
	       rec->resp_len >= 2;
}

int tm_trace_parse(const char *line, size_t len, struct tm_trace_rec *rec)
{
	if (line == NULL || rec == NULL)
		return TM_ERR_ARGS;
	if (len < 4 || memcmp(line, TRACE_TAG, 4) != 0)
		return TM_ERR_NOT_FOUND;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len) != NULL)
		return TM_ERR_MALFORMED;

	char *copy = OPENSSL_strndup(line, len);
	if (copy == NULL)
		return TM_ERR_NO_MEMORY;

	char *f[F_COUNT];
	size_t nf = 0;
	char *p = copy;
	for (;;) {
		char *sp = strchr(p, ' ');
		if (nf == F_COUNT) {
			nf++; /* too many fields */
			break;
		}
		f[nf++] = p;
		if (sp == NULL)
			break;
		*sp = '\0';
		p = sp + 1;
	}

	memset(rec, 0, offsetof(struct tm_trace_rec, cmd));
	rec->cmd_len = rec->hidden_len = rec->resp_len = rec->resp_hidden = 0;
	rec->has_resp = rec->private_response = false;
	int rc = nf == F_COUNT && parse_fields(f, rec) ? TM_OK : TM_ERR_MALFORMED;
	OPENSSL_free(copy);
	return rc;
}

void tm_trace_rec_command(struct tm_trace_rec *rec, const uint8_t *cmd, size_t len)
{
	memset(rec, 0, offsetof(struct tm_trace_rec, cmd));
	rec->sensitive = tm_trace_is_secret(cmd, len);
	if (rec->sensitive) {
		memcpy(rec->cmd, cmd, 4);
		rec->cmd_len = 4;
		/* The data's length, as a trace gives it: Lc (short or extended). */
		size_t lc = len > 4 ? cmd[4] : 0;
		if (lc == 0 && len >= 7)
			lc = (size_t)cmd[5] << 8 | cmd[6];
		rec->hidden_len = lc;
	} else {
		memcpy(rec->cmd, cmd, len);
		rec->cmd_len = len;
		rec->hidden_len = 0;
	}
	rec->has_resp = rec->private_response = false;
	rec->resp_len = rec->resp_hidden = 0;
}
