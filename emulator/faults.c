/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "faults.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE                                                                                  \
	"error: fault sw INS|* SW [COUNT] [OPTIONS] | fault delay MS [OPTIONS] | "              \
	"fault tear [N] [OPTIONS] | fault list | fault clear [ID]; OPTIONS: ins=INS p1p2=HHHH " \
	"nth=N count=N|forever"

void tm_faults_clear(struct tm_faults *f)
{
	unsigned next = f->next_id ? f->next_id : 1;

	*f = (struct tm_faults){.next_id = next};
}

static bool number(const char *s, int base, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, base) : 0;
	if (s == NULL || errno || *end || end == s || v < min || v > max || *s == '-' || *s == '+')
		return false;
	*out = v;
	return true;
}

/* "1st", "2nd", "3rd", "11th", ... */
static const char *ordinal(long n, char buf[32])
{
	const char *sfx = "th";
	if (n % 100 < 11 || n % 100 > 13)
		sfx = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
	snprintf(buf, 32, "%ld%s", n, sfx);
	return buf;
}

/* Appends to out, never past cap, always terminated. */
static void add(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add(char *out, size_t cap, const char *fmt, ...)
{
	size_t used = strnlen(out, cap);
	va_list ap;

	if (used + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(out + used, cap - used, fmt, ap);
	va_end(ap);
}

/* The fault in words, from its current state: what it does, to which
 * commands, from when, how often. */
static void describe(const struct tm_fault *t, char *out, size_t cap)
{
	char ord[32];

	switch (t->kind) {
	case TM_FAULT_SW: add(out, cap, "answers %04X to ", t->sw); break;
	case TM_FAULT_DELAY: add(out, cap, "adds %u ms to ", t->delay_ms); break;
	case TM_FAULT_TEAR: add(out, cap, "tears power during "); break;
	}
	if (t->ins < 0)
		add(out, cap, t->p1p2 < 0 ? "any command" : "any INS");
	else
		add(out, cap, "INS %02X", t->ins);
	if (t->p1p2 >= 0)
		add(out, cap, " P1P2 %04X", t->p1p2);
	if (t->skip == 0)
		add(out, cap, ", from the next one");
	else
		add(out, cap, ", from the %s such command from now", ordinal(t->skip + 1, ord));
	if (t->count < 0)
		add(out, cap, ", every time");
	else if (t->count == 1)
		add(out, cap, ", once");
	else
		add(out, cap, ", %ld times", t->count);
}

/* ins=, p1p2=, nth=, count= on top of the positional words. */
static bool option(struct tm_fault *t, const char *w, bool *ins_seen, bool *nth_seen,
		   bool *count_seen)
{
	long v;

	if (strncmp(w, "ins=", 4) == 0 && !*ins_seen) {
		*ins_seen = true;
		if (strcmp(w + 4, "*") == 0 || strcmp(w + 4, "any") == 0)
			return t->ins = -1, true;
		return number(w + 4, 16, 0, 0xFF, &v) ? (t->ins = (int)v, true) : false;
	}
	if (strncmp(w, "p1p2=", 5) == 0 && t->p1p2 < 0 && strlen(w + 5) == 4)
		return number(w + 5, 16, 0, 0xFFFF, &v) ? (t->p1p2 = (int)v, true) : false;
	if (strncmp(w, "nth=", 4) == 0 && !*nth_seen) {
		*nth_seen = true;
		return number(w + 4, 10, 1, 1000000, &v) ? (t->skip = v - 1, true) : false;
	}
	if (strncmp(w, "count=", 6) == 0 && !*count_seen) {
		*count_seen = true;
		if (strcmp(w + 6, "forever") == 0)
			return t->count = -1, true;
		return number(w + 6, 10, 1, 1000000, &v) ? (t->count = v, true) : false;
	}
	return false;
}

/* Parses "sw ...", "delay ..." or "tear ..." (words after "fault") into t. */
static bool parse_arm(char **w, size_t n, struct tm_fault *t)
{
	bool ins_seen = false, nth_seen = false, count_seen = false;
	size_t i = 1;
	long v;

	*t = (struct tm_fault){.ins = -1, .p1p2 = -1, .count = -1};
	if (strcmp(w[0], "sw") == 0) {
		t->kind = TM_FAULT_SW;
		if (n < 3)
			return false;
		if (strcmp(w[1], "*") == 0 || strcmp(w[1], "any") == 0)
			t->ins = -1;
		else if (number(w[1], 16, 0, 0xFF, &v))
			t->ins = (int)v;
		else
			return false;
		ins_seen = true;
		/* SWs a card can send: 61xx-6Fxx and 90xx-9Fxx (ISO 7816-4 5.6) */
		if (strlen(w[2]) != 4 || !number(w[2], 16, 0x6100, 0x9FFF, &v) ||
		    (v > 0x6FFF && v < 0x9000))
			return false;
		t->sw = (uint16_t)v;
		i = 3;
		if (i < n && number(w[i], 10, 1, 1000000, &v))
			t->count = v, count_seen = true, i++;
	} else if (strcmp(w[0], "delay") == 0) {
		t->kind = TM_FAULT_DELAY;
		if (n < 2 || !number(w[1], 10, 1, 60000, &v))
			return false;
		t->delay_ms = (unsigned)v;
		i = 2;
	} else if (strcmp(w[0], "tear") == 0) {
		t->kind = TM_FAULT_TEAR;
		t->count = 1;
		/* "tear N": N commands pass, power goes during the next */
		if (n > 1 && number(w[1], 10, 0, 1000000, &v))
			t->skip = v, nth_seen = true, i = 2;
	} else {
		return false;
	}
	for (; i < n; i++)
		if (!option(t, w[i], &ins_seen, &nth_seen, &count_seen))
			return false;
	return true;
}

bool tm_faults_command(struct tm_faults *f, const char *line, char *reply, size_t cap)
{
	char buf[512], *save = NULL, *w[12];
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	char *w0 = strtok_r(buf, " \t\r\n", &save);
	if (w0 == NULL || strcmp(w0, "fault") != 0)
		return false;
	if (f->next_id == 0)
		f->next_id = 1;
	for (char *x; n < sizeof(w) / sizeof(w[0]) && (x = strtok_r(NULL, " \t\r\n", &save));)
		w[n++] = x;
	reply[0] = '\0';
	if (n == 0 || strtok_r(NULL, " \t\r\n", &save) != NULL) {
		add(reply, cap, USAGE);
		return true;
	}
	if (strcmp(w[0], "list") == 0 && n == 1) {
		if (f->n == 0) {
			add(reply, cap, "ok no faults armed");
			return true;
		}
		add(reply, cap, "ok %zu fault%s armed", f->n, f->n == 1 ? "" : "s");
		char list[TM_FAULTS_MAX * 160] = "";
		tm_faults_list(f, list, sizeof(list));
		add(reply, cap, "\n%.*s", (int)(strlen(list) ? strlen(list) - 1 : 0), list);
		return true;
	}
	if (strcmp(w[0], "clear") == 0 && n <= 2) {
		long id;
		if (n == 1) {
			size_t was = f->n;
			tm_faults_clear(f);
			add(reply, cap, "ok %zu fault%s cleared", was, was == 1 ? "" : "s");
			return true;
		}
		if (!number(w[1], 10, 1, 0x7FFFFFFF, &id)) {
			add(reply, cap, USAGE);
			return true;
		}
		for (size_t i = 0; i < f->n; i++) {
			if (f->armed[i].id != (unsigned)id)
				continue;
			memmove(&f->armed[i], &f->armed[i + 1], (f->n - i - 1) * sizeof(f->armed[0]));
			f->n--;
			add(reply, cap, "ok fault %ld cleared", id);
			return true;
		}
		add(reply, cap, "error: no fault %ld is armed (fault list shows them)", id);
		return true;
	}
	struct tm_fault t;
	if (!parse_arm(w, n, &t)) {
		add(reply, cap, USAGE);
		return true;
	}
	if (f->n == TM_FAULTS_MAX) {
		add(reply, cap, "error: %d faults are armed already; fault clear [ID] first",
		    TM_FAULTS_MAX);
		return true;
	}
	t.id = f->next_id++;
	f->armed[f->n++] = t;
	add(reply, cap, "ok fault %u armed: ", t.id);
	describe(&t, reply, cap);
	return true;
}

static bool matches(const struct tm_fault *t, const uint8_t *apdu, size_t len)
{
	if (t->ins < 0 && t->p1p2 < 0)
		return true;
	if (len < 4)
		return false;
	return (t->ins < 0 || t->ins == apdu[1]) &&
	       (t->p1p2 < 0 || t->p1p2 == ((apdu[2] << 8) | apdu[3]));
}

static void consume(struct tm_faults *f, size_t i)
{
	struct tm_fault *t = &f->armed[i];

	if (t->count > 0 && --t->count == 0) {
		memmove(t, t + 1, (f->n - i - 1) * sizeof(*t));
		f->n--;
	}
}

struct tm_fault_hit tm_faults_apply(struct tm_faults *f, const uint8_t *apdu, size_t len)
{
	struct tm_fault_hit hit = {0};
	bool fire[TM_FAULTS_MAX] = {0};
	long tear = -1, sw = -1;

	/* Which fire on this command (in ID order: the oldest first), and
	 * which only count it. */
	for (size_t i = 0; i < f->n; i++) {
		struct tm_fault *t = &f->armed[i];
		if (!matches(t, apdu, len))
			continue;
		if (t->skip > 0) {
			t->skip--;
			continue;
		}
		fire[i] = true;
		if (t->kind == TM_FAULT_TEAR && tear < 0)
			tear = (long)i;
		if (t->kind == TM_FAULT_SW && sw < 0)
			sw = (long)i;
	}
	/* Consumed from the end, so the indexes still to visit stay put. */
	for (size_t i = f->n; i-- > 0;) {
		if (!fire[i])
			continue;
		const struct tm_fault *t = &f->armed[i];
		if (tear >= 0) {
			if ((long)i != tear)
				continue; /* the card never answers: the rest wait */
			hit.tear = true;
		} else if (t->kind == TM_FAULT_SW) {
			if ((long)i != sw)
				continue;
			hit.sw = t->sw;
		} else if (t->kind == TM_FAULT_DELAY) {
			hit.delay_ms += t->delay_ms;
		}
		consume(f, i);
	}
	return hit;
}

void tm_faults_list(const struct tm_faults *f, char *out, size_t cap)
{
	out[0] = '\0';
	for (size_t i = 0; i < f->n; i++) {
		add(out, cap, "fault %u: ", f->armed[i].id);
		describe(&f->armed[i], out, cap);
		add(out, cap, "\n");
	}
}

void tm_faults_json(const struct tm_faults *f, char *out, size_t cap)
{
	static const char *const kinds[] = {"sw", "delay", "tear"};

	out[0] = '\0';
	add(out, cap, "[");
	for (size_t i = 0; i < f->n; i++) {
		const struct tm_fault *t = &f->armed[i];
		add(out, cap, "%s{\"id\":%u,\"kind\":\"%s\"", i ? "," : "", t->id, kinds[t->kind]);
		if (t->ins >= 0)
			add(out, cap, ",\"ins\":\"%02X\"", t->ins);
		else
			add(out, cap, ",\"ins\":null");
		if (t->p1p2 >= 0)
			add(out, cap, ",\"p1p2\":\"%04X\"", t->p1p2);
		else
			add(out, cap, ",\"p1p2\":null");
		if (t->kind == TM_FAULT_SW)
			add(out, cap, ",\"sw\":\"%04X\"", t->sw);
		if (t->kind == TM_FAULT_DELAY)
			add(out, cap, ",\"delay_ms\":%u", t->delay_ms);
		add(out, cap, ",\"skip\":%ld,\"count\":", t->skip);
		if (t->count < 0)
			add(out, cap, "null}");
		else
			add(out, cap, "%ld}", t->count);
	}
	add(out, cap, "]");
}
