/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Samples: median and 99th percentile. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench/bench.h"

double bm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bm_add(struct bm_samples *s, double seconds)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		double *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL) {
			fprintf(stderr, "tumar-bench: out of memory\n");
			exit(2);
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = seconds;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double quantile(struct bm_samples *s, double q)
{
	if (s->n == 0)
		return -1;
	qsort(s->v, s->n, sizeof(*s->v), cmp);
	return s->v[(size_t)(q * (double)(s->n - 1) + 0.5)];
}

double bm_median(struct bm_samples *s) { return quantile(s, 0.5); }
double bm_p99(struct bm_samples *s) { return quantile(s, 0.99); }

void bm_free(struct bm_samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static bool read_cpu(unsigned long long *busy, unsigned long long *total)
{
	unsigned long long v[8] = {0};
	FILE *f = fopen("/proc/stat", "r");
	int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			    &v[3], &v[4], &v[5], &v[6], &v[7]) : 0;

	if (f != NULL)
		fclose(f);
	if (n < 8)
		return false;
	/* user nice system idle iowait irq softirq steal */
	*busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	*total = *busy + v[3] + v[4];
	return true;
}

void bm_cpu_start(struct bm_cpu *c)
{
	if (!read_cpu(&c->busy, &c->total))
		c->total = 0;
}

double bm_cpu_busy(const struct bm_cpu *c)
{
	unsigned long long busy, total;

	if (c->total == 0 || !read_cpu(&busy, &total) || total <= c->total)
		return -1;
	return (double)(busy - c->busy) / (double)(total - c->total);
}
