/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-bench: the table and the JSON (bench/report.h). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench/report.h"
#include "tools/json_out.h"

struct bm_row *bm_row(struct bm_report *r, const char *name, enum bm_unit unit)
{
	struct bm_row *row = &r->rows[r->n_rows < BM_MAX_ROWS - 1 ? r->n_rows++ : r->n_rows];

	memset(row, 0, sizeof(*row));
	row->name = name;
	row->unit = unit;
	row->va = row->vb = -1;
	return row;
}

void bm_target(struct bm_report *r, const char *name, double value, double limit, bool at_most,
	       const char *unit)
{
	if (r->n_targets < BM_MAX_TARGETS)
		r->targets[r->n_targets++] = (struct bm_target){name, value, limit, at_most, unit};
}

static bool met(const struct bm_target *t)
{
	return t->value >= 0 && (t->at_most ? t->value <= t->limit : t->value >= t->limit);
}

/* A time in ms, or a dash. */
static void cell_ms(char *out, size_t size, double seconds)
{
	if (seconds < 0)
		snprintf(out, size, "-");
	else
		snprintf(out, size, "%.3f", seconds * 1e3);
}

static void cell(char *out, size_t size, double v)
{
	if (v < 0)
		snprintf(out, size, "-");
	else if (v == (double)(long)v)
		snprintf(out, size, "%ld", (long)v);
	else
		snprintf(out, size, "%.1f", v);
}

static double ratio(double a, double b)
{
	return a >= 0 && b > 0 ? a / b : -1;
}

void bm_print(struct bm_report *r)
{
	bool peer = r->name_b != NULL;
	char a1[32], a2[32], b1[32], b2[32], q[32];

	printf("%-44s %12s %10s", "figure", r->name_a, "p99");
	if (peer)
		printf(" %12s %10s %8s", r->name_b, "p99", "ratio");
	printf("\n%-44s %12s %10s%s\n", "", "median ms", "ms", peer ? "    median ms         ms    a / b" : "");
	for (int i = 0; i < r->n_rows; i++) {
		struct bm_row *row = &r->rows[i];
		double ma, mb;
		if (row->unit == BM_TIME) {
			ma = bm_median(&row->a);
			mb = bm_median(&row->b);
			cell_ms(a1, sizeof(a1), ma);
			cell_ms(a2, sizeof(a2), bm_p99(&row->a));
			cell_ms(b1, sizeof(b1), mb);
			cell_ms(b2, sizeof(b2), bm_p99(&row->b));
		} else {
			ma = row->va;
			mb = row->vb;
			cell(a1, sizeof(a1), ma);
			cell(b1, sizeof(b1), mb);
			snprintf(a2, sizeof(a2), "%s", row->unit == BM_RATE ? "/s" : "");
			snprintf(b2, sizeof(b2), "%s", row->unit == BM_RATE ? "/s" : "");
		}
		cell(q, sizeof(q), ratio(ma, mb));
		if (ratio(ma, mb) >= 0)
			snprintf(q, sizeof(q), "%.2f", ratio(ma, mb));
		printf("%-44s %12s %10s", row->name, a1, a2);
		if (peer)
			printf(" %12s %10s %8s", b1, b2, q);
		putchar('\n');
	}
	if (r->n_targets == 0)
		return;
	printf("\n%-60s %10s %10s  %s\n", "target", "measured", "limit", "");
	for (int i = 0; i < r->n_targets; i++) {
		const struct bm_target *t = &r->targets[i];
		char v[32];
		if (t->value < 0)
			snprintf(v, sizeof(v), "-");
		else
			snprintf(v, sizeof(v), "%.2f", t->value);
		printf("%-60s %10s %s%8.2f %s  %s\n", t->name, v, t->at_most ? "<=" : ">=", t->limit,
		       t->unit, t->value < 0 ? "not measured" : met(t) ? "met" : "MISSED");
	}
}

static void json_row(struct tj *j, struct bm_row *row, bool peer)
{
	tj_obj(j, NULL);
	tj_str(j, "figure", row->name);
	tj_str(j, "unit", row->unit == BM_TIME ? "us" : row->unit == BM_RATE ? "per_second" : "count");
	if (row->unit == BM_TIME) {
		tj_num(j, "a_median", bm_median(&row->a) * 1e6);
		tj_num(j, "a_p99", bm_p99(&row->a) * 1e6);
		tj_int(j, "a_samples", (long long)row->a.n);
		if (peer && row->b.n) {
			tj_num(j, "b_median", bm_median(&row->b) * 1e6);
			tj_num(j, "b_p99", bm_p99(&row->b) * 1e6);
			tj_int(j, "b_samples", (long long)row->b.n);
		}
	} else {
		tj_num(j, "a", row->va);
		if (peer)
			tj_num(j, "b", row->vb);
	}
	tj_end(j, '}');
}

bool bm_write_json(struct bm_report *r, const char *path)
{
	FILE *f = fopen(path, "w");
	struct utsname u;
	struct tj j;
	char when[32];
	time_t now = time(NULL);

	if (f == NULL) {
		perror(path);
		return false;
	}
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	uname(&u);
	tj_init(&j, f);
	tj_obj(&j, NULL);
	tj_str(&j, "when", when);
	tj_str(&j, "machine", u.machine);
	tj_str(&j, "kernel", u.release);
	tj_int(&j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	tj_str(&j, "a", r->name_a);
	tj_str(&j, "b", r->name_b);
	tj_arr(&j, "figures");
	for (int i = 0; i < r->n_rows; i++)
		json_row(&j, &r->rows[i], r->name_b != NULL);
	tj_end(&j, ']');
	tj_arr(&j, "targets");
	for (int i = 0; i < r->n_targets; i++) {
		const struct bm_target *t = &r->targets[i];
		tj_obj(&j, NULL);
		tj_str(&j, "target", t->name);
		tj_num(&j, "measured", t->value);
		tj_str(&j, "rule", t->at_most ? "at_most" : "at_least");
		tj_num(&j, "limit", t->limit);
		tj_str(&j, "result", t->value < 0 ? "not measured" : met(t) ? "met" : "missed");
		tj_end(&j, '}');
	}
	tj_end(&j, ']');
	tj_end(&j, '}');
	return fclose(f) == 0;
}

void bm_report_free(struct bm_report *r)
{
	for (int i = 0; i < r->n_rows; i++) {
		bm_free(&r->rows[i].a);
		bm_free(&r->rows[i].b);
	}
	r->n_rows = 0;
}
