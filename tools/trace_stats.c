/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-trace stats: APDUs per command, bytes and time. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "tools/apdu_names.h"
#include "tools/trace_cmds.h"

#define MAX_KINDS 64

static struct {
	char name[48];
	unsigned long count;
	unsigned long long sent, received, us;
} kinds[MAX_KINDS];
static size_t n_kinds;

static void count(const struct tm_trace_rec *r, void *ctx)
{
	char buf[16];
	const char *name = tm_ins_name(r->cmd[0], r->cmd[1], buf, sizeof(buf));
	size_t i;

	(void)ctx;
	for (i = 0; i < n_kinds && strcmp(kinds[i].name, name) != 0; i++)
		;
	if (i == n_kinds) {
		if (n_kinds == MAX_KINDS)
			return;
		snprintf(kinds[n_kinds++].name, sizeof(kinds[0].name), "%s", name);
	}
	kinds[i].count++;
	kinds[i].sent += r->sensitive ? 4 + r->hidden_len : r->cmd_len;
	kinds[i].received += r->has_resp ? r->resp_len + r->resp_hidden : 0;
	kinds[i].us += r->duration_us;
}

int tm_trace_stats_cmd(FILE *in, const char *name, struct tm_trace_out *out)
{
	unsigned long total = 0;
	unsigned long long us = 0, sent = 0, received = 0;
	int rc = tm_trace_each(in, name, false, count, NULL);
	struct tj *j = &out->j;

	if (out->json) {
		tj_obj(j, NULL);
		tj_arr(j, "commands");
	} else {
		printf("%-32s %8s %10s %10s %12s %10s\n", "command", "APDUs", "sent", "received",
		       "time (ms)", "mean (us)");
	}
	for (size_t i = 0; i < n_kinds; i++) {
		if (out->json) {
			tj_obj(j, NULL);
			tj_str(j, "command", kinds[i].name);
			tj_int(j, "apdus", (long long)kinds[i].count);
			tj_int(j, "bytes_sent", (long long)kinds[i].sent);
			tj_int(j, "bytes_received", (long long)kinds[i].received);
			tj_int(j, "time_us", (long long)kinds[i].us);
			tj_end(j, '}');
		} else {
			printf("%-32s %8lu %10llu %10llu %12.3f %10.0f\n", kinds[i].name, kinds[i].count,
			       kinds[i].sent, kinds[i].received, (double)kinds[i].us / 1000.0,
			       (double)kinds[i].us / (double)kinds[i].count);
		}
		total += kinds[i].count;
		us += kinds[i].us;
		sent += kinds[i].sent;
		received += kinds[i].received;
	}
	if (out->json) {
		tj_end(j, ']');
		tj_obj(j, "total");
		tj_int(j, "apdus", (long long)total);
		tj_int(j, "bytes_sent", (long long)sent);
		tj_int(j, "bytes_received", (long long)received);
		tj_int(j, "time_us", (long long)us);
		tj_end(j, '}');
		tj_end(j, '}');
	} else {
		printf("%-32s %8lu %10llu %10llu %12.3f\n", "total", total, sent, received,
		       (double)us / 1000.0);
	}
	return rc;
}
