/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-bench's results: one row per figure, for the module under test
 * (a) and its peer (b), printed as a table and written as JSON. */
#ifndef TUMAR_BENCH_REPORT_H
#define TUMAR_BENCH_REPORT_H

#include <stdbool.h>

#include "bench/bench.h"

#define BM_MAX_ROWS 32
#define BM_MAX_TARGETS 16

enum bm_unit { BM_TIME, BM_RATE, BM_COUNT };

struct bm_row {
	const char *name;
	enum bm_unit unit;
	struct bm_samples a, b;  /* BM_TIME */
	double va, vb;           /* BM_RATE, BM_COUNT; < 0: not measured */
};

struct bm_target {
	const char *name;
	double value, limit;
	bool at_most;            /* value must be <= limit (else >=) */
	const char *unit;        /* "x" for ratios, "APDUs" */
};

struct bm_report {
	const char *name_a, *name_b; /* name_b NULL: no peer */
	struct bm_row rows[BM_MAX_ROWS];
	int n_rows;
	struct bm_target targets[BM_MAX_TARGETS];
	int n_targets;
};

struct bm_row *bm_row(struct bm_report *r, const char *name, enum bm_unit unit);
void bm_target(struct bm_report *r, const char *name, double value, double limit, bool at_most,
	       const char *unit);
void bm_print(struct bm_report *r);
bool bm_write_json(struct bm_report *r, const char *path);
void bm_report_free(struct bm_report *r);

#endif
