/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "stop_point.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* One process, one card, one armed point: set once at start-up, before
 * any thread; unarmed, tm_stop_point() costs a comparison. */
static int armed_event = -1;
static unsigned long armed_n, seen;

static const char *const names[TM_STOP_EVENTS] = {"command", "write", "sync", "saved", "answer"};

bool tm_stop_at_arm(const char *spec)
{
	const char *colon = strchr(spec, ':');
	char *end;

	if (colon == NULL)
		return false;
	for (int e = 0; e < TM_STOP_EVENTS; e++) {
		if (strlen(names[e]) != (size_t)(colon - spec) ||
		    strncmp(spec, names[e], (size_t)(colon - spec)) != 0)
			continue;
		unsigned long n = strtoul(colon + 1, &end, 10);
		if (colon[1] < '1' || colon[1] > '9' || *end != '\0' || n == 0)
			return false;
		armed_event = e;
		armed_n = n;
		seen = 0;
		return true;
	}
	return false;
}

void tm_stop_point(enum tm_stop_event e)
{
	if ((int)e != armed_event || ++seen != armed_n)
		return;
	raise(SIGSTOP);
}
