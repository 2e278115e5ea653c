/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "faults.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tm_faults_clear(struct tm_faults *f)
{
	*f = (struct tm_faults){.sw_ins = -1, .tear_in = -1};
}

static bool number(const char *s, int base, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, base) : 0;
	if (s == NULL || errno || *end || end == s || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool tm_faults_command(struct tm_faults *f, const char *line, char *reply, size_t cap)
{
	char buf[256], *save = NULL;
	long a, b, c = -1;

	snprintf(buf, sizeof(buf), "%s", line);
	char *w0 = strtok_r(buf, " \t\r\n", &save);
	if (w0 == NULL || strcmp(w0, "fault") != 0)
		return false;
	char *what = strtok_r(NULL, " \t\r\n", &save);
	char *x = strtok_r(NULL, " \t\r\n", &save);
	char *y = strtok_r(NULL, " \t\r\n", &save);
	char *z = strtok_r(NULL, " \t\r\n", &save);

	if (what && strcmp(what, "clear") == 0) {
		tm_faults_clear(f);
		snprintf(reply, cap, "ok faults cleared");
	} else if (what && strcmp(what, "sw") == 0 && number(x, 16, 0, 0xFF, &a) &&
		   number(y, 16, 0x6000, 0x9FFF, &b) && (z == NULL || number(z, 10, 1, 1000000, &c))) {
		f->sw_ins = (int)a;
		f->sw = (uint16_t)b;
		f->sw_count = c;
		snprintf(reply, cap, "ok INS %02lX answers %04lX %s", a, b,
			 c < 0 ? "every time" : "for a while");
	} else if (what && strcmp(what, "delay") == 0 && number(x, 10, 0, 60000, &a)) {
		f->delay_ms = (unsigned)a;
		snprintf(reply, cap, "ok every response waits %ld ms", a);
	} else if (what && strcmp(what, "tear") == 0 && number(x, 10, 0, 1000000, &a)) {
		f->tear_in = a;
		snprintf(reply, cap, "ok power goes during APDU %ld from now", a + 1);
	} else {
		snprintf(reply, cap, "error: fault sw INS SW [COUNT] | fault delay MS | "
				     "fault tear N | fault clear");
	}
	return true;
}

uint16_t tm_faults_take_sw(struct tm_faults *f, uint8_t ins)
{
	if (f->sw_ins != ins || f->sw_count == 0)
		return 0;
	if (f->sw_count > 0 && --f->sw_count == 0)
		f->sw_ins = -1;
	return f->sw;
}

bool tm_faults_take_tear(struct tm_faults *f)
{
	if (f->tear_in < 0)
		return false;
	if (f->tear_in-- == 0) {
		f->tear_in = -1;
		return true;
	}
	return false;
}
