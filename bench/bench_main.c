/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tumar-bench: the figures of bench/bench.h for one PKCS#11 module and,
 * with --vs, a peer in the same run, interleaved, with ratios; the PC/SC
 * transport probe next to the echo card's floor; the targets of issue 6.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/report.h"

static void usage(FILE *f)
{
	fputs(
"Usage: tumar-bench --module PATH --pin PIN [--token LABEL [--token LABEL2]]\n"
"                   [--vs PATH --vs-pin PIN [--vs-token LABEL ...]]\n"
"                   [--probe READER --floor READER] [--setup] [--quick]\n"
"                   [--json FILE]\n"
"\n"
"Measures a PKCS#11 module on a token: C_Initialize to C_Login, C_Sign\n"
"(RSA-2048 CKM_SHA256_RSA_PKCS single-part and Init/Update/Final; EC P-256\n"
"CKM_ECDSA; GOST-512 CKM_GOSTR3410_512) with median, p99 and rate, 2 and 4 threads, 2 tokens, key\n"
"generation, and APDUs per operation from the module's trace (Tumar's).\n"
"  --vs PATH       a peer module (e.g. SoftHSM2) measured in the same run,\n"
"                  interleaved; the table gets ratios (module / peer)\n"
"  --probe READER  GET CHALLENGE round trips to the card in READER\n"
"  --floor READER  the same to tumar-echo-card (the transport floor)\n"
"  --between CMD   a shell command run after the probe, before the module\n"
"                  work (vpcd has two readers: the echo card's can then\n"
"                  take a second token)\n"
"  --setup         generate the keys bench-rsa and bench-ec where missing\n"
"  --quick         fewer samples (a smoke run)\n"
"  --profile FORM  only sign 5000 times (rsa, multipart, ecdsa or gost512),\n"
"                  or 20000 in 2 threads on 2 tokens (threads), for perf\n"
"  --json FILE     the results as JSON too\n"
"  --ratio-limit X the C_Sign median / peer's target (default 1.0)\n"
"  --cold-limit N  the target for APDUs from C_Initialize to the first C_Sign\n"
"                  (default 8; none: counted, no target)\n"
"Names: --name and --vs-name (default: tumar, peer).\n", f);
}

struct opts {
	struct bm_module a, b;
	bool have_b, setup, quick;
	const char *probe, *floor, *json, *between, *profile;
	double ratio_limit;
	double cold_limit; /* < 0: no target */
};

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"module", 1, NULL, 'm'}, {"pin", 1, NULL, 'p'}, {"token", 1, NULL, 't'},
		{"vs", 1, NULL, 'M'}, {"vs-pin", 1, NULL, 'P'}, {"vs-token", 1, NULL, 'T'},
		{"name", 1, NULL, 'n'}, {"vs-name", 1, NULL, 'N'},
		{"probe", 1, NULL, 'r'}, {"floor", 1, NULL, 'f'}, {"setup", 0, NULL, 's'},
		{"quick", 0, NULL, 'q'}, {"json", 1, NULL, 'j'}, {"help", 0, NULL, 'h'},
		{"between", 1, NULL, 'b'}, {"profile", 1, NULL, 'F'}, {"ratio-limit", 1, NULL, 'R'},
		{"cold-limit", 1, NULL, 'C'}, {NULL, 0, NULL, 0},
	};
	int c, ta = 0, tb = 0;

	o->a.name = "tumar";
	o->ratio_limit = 1.0;
	o->cold_limit = 8;
	o->b.name = "peer";
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->a.path = optarg; break;
		case 'p': o->a.pin = optarg; break;
		case 't': if (ta < BM_MAX_TOKENS) o->a.labels[ta++] = optarg; break;
		case 'M': o->b.path = optarg; o->have_b = true; break;
		case 'P': o->b.pin = optarg; break;
		case 'T': if (tb < BM_MAX_TOKENS) o->b.labels[tb++] = optarg; break;
		case 'n': o->a.name = optarg; break;
		case 'N': o->b.name = optarg; break;
		case 'r': o->probe = optarg; break;
		case 'f': o->floor = optarg; break;
		case 's': o->setup = true; break;
		case 'q': o->quick = true; break;
		case 'j': o->json = optarg; break;
		case 'b': o->between = optarg; break;
		case 'F': o->profile = optarg; break;
		case 'R': o->ratio_limit = atof(optarg); break;
		case 'C': o->cold_limit = strcmp(optarg, "none") == 0 ? -1 : atof(optarg); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc || o->a.path == NULL || o->a.pin == NULL ||
	    (o->have_b && o->b.pin == NULL) || (o->floor && !o->probe)) {
		usage(stderr);
		exit(2);
	}
}

#define ROUNDS 5

/* A time figure on both modules, in rounds that alternate between them,
 * so both see the same machine. */
typedef bool (*timed_fn)(struct bm_module *m, int n, struct bm_samples *s, int arg);

static bool both(struct opts *o, struct bm_row *row, int n, timed_fn fn, int arg)
{
	int per = n / ROUNDS > 0 ? n / ROUNDS : 1;

	for (int r = 0; r < ROUNDS; r++) {
		if (!fn(&o->a, per, &row->a, arg))
			return false;
		if (o->have_b && !fn(&o->b, per, &row->b, arg))
			return false;
	}
	return true;
}

static bool do_cold(struct bm_module *m, int n, struct bm_samples *s, int arg)
{
	(void)arg;
	return bm_cold_login(m, n, s);
}

static bool do_sign(struct bm_module *m, int n, struct bm_samples *s, int form)
{
	if (form == BM_ECDSA && (!m->has_ec || m->ec[0] == CK_INVALID_HANDLE))
		return true; /* the token has no EC: the figure stays empty */
	if (form == BM_GOST512 && (!m->has_gost || m->gost[0] == CK_INVALID_HANDLE))
		return true;
	return bm_sign(m, (enum bm_sign_form)form, n, s);
}

static bool do_keygen(struct bm_module *m, int n, struct bm_samples *s, int kind)
{
	if ((kind == BM_KEY_EC && !m->has_ec) || (kind == BM_KEY_GOST512 && !m->has_gost))
		return true;
	return bm_keygen(m, (enum bm_key_kind)kind, n, s);
}

/* A rate row, and a row with the share of the machine's CPUs busy
 * meanwhile: a rate that stops growing with threads on a saturated
 * machine is the machine's limit, not the module's. */
static struct bm_row *threads_row(struct opts *o, struct bm_report *rep, const char *name,
				  const char *cpu_name, int threads, int tokens, int count)
{
	struct bm_row *row = bm_row(rep, name, BM_RATE), *cpu = bm_row(rep, cpu_name, BM_COUNT);
	struct bm_cpu c;

	if (o->a.n_tokens >= tokens) {
		bm_cpu_start(&c);
		bm_threads(&o->a, threads, tokens, count, &row->va);
		cpu->va = 100 * bm_cpu_busy(&c);
	}
	if (o->have_b && o->b.n_tokens >= tokens) {
		bm_cpu_start(&c);
		bm_threads(&o->b, threads, tokens, count, &row->vb);
		cpu->vb = 100 * bm_cpu_busy(&c);
	}
	return row;
}

static void count_row(struct bm_report *rep, const char *name, long a, long b)
{
	struct bm_row *row = bm_row(rep, name, BM_COUNT);

	row->va = (double)a;
	row->vb = (double)b;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct bm_report rep = {0};
	struct bm_apdus apa, apb;
	char trace[] = "/tmp/tumar-bench-trace.XXXXXX";
	int k = 1;

	parse(argc, argv, &o);
	if (o.quick)
		k = 0;
	rep.name_a = o.a.name;
	rep.name_b = o.have_b ? o.b.name : NULL;
	/* The transport first: the module work may need the floor's reader. */
	struct bm_row *probe = NULL, *floor_ = NULL, *probe_t = NULL, *floor_t = NULL;
	if (o.probe) {
		fprintf(stderr, "tumar-bench: transport probe...\n");
		probe = bm_row(&rep, "GET CHALLENGE via PC/SC: card", BM_TIME);
		probe_t = bm_row(&rep, "  the same in a PC/SC transaction", BM_TIME);
		if (o.floor) {
			floor_ = bm_row(&rep, "GET CHALLENGE via PC/SC: echo card (floor)", BM_TIME);
			floor_t = bm_row(&rep, "  the same in a PC/SC transaction", BM_TIME);
		}
		for (int r = 0; r < ROUNDS; r++) {
			bm_probe(o.probe, k ? 400 : 40, &probe->a, &probe_t->a);
			if (o.floor)
				bm_probe(o.floor, k ? 400 : 40, &floor_->a, &floor_t->a);
		}
	}

	if (o.between && system(o.between) != 0) {
		fprintf(stderr, "tumar-bench: --between command failed: %s\n", o.between);
		return 1;
	}
	if (!bm_load(&o.a) || !bm_open(&o.a, o.setup))
		return 1;
	if (o.have_b && (!bm_load(&o.b) || !bm_open(&o.b, o.setup)))
		return 1;
	if (o.profile && strcmp(o.profile, "threads") == 0) {
		double rate = 0;
		struct bm_cpu c;
		bm_cpu_start(&c);
		bool ok = bm_threads(&o.a, 2, 2, 10000, &rate);
		printf("threads: %.0f signatures/s, CPUs %.0f%% busy\n", rate, 100 * bm_cpu_busy(&c));
		return ok ? 0 : 1;
	}
	if (o.profile) {
		struct bm_samples s = {0};
		int form = strcmp(o.profile, "ecdsa") == 0     ? BM_ECDSA
			   : strcmp(o.profile, "gost512") == 0   ? BM_GOST512
			   : strcmp(o.profile, "multipart") == 0 ? BM_RSA_MULTIPART
								 : BM_RSA_SINGLE;
		bool ok = do_sign(&o.a, 5000, &s, form);
		printf("%s: median %.3f ms over %zu\n", o.profile, bm_median(&s) * 1e3, s.n);
		bm_free(&s);
		return ok ? 0 : 1;
	}
	int fd = mkstemp(trace);
	if (fd >= 0)
		close(fd);

	fprintf(stderr, "tumar-bench: APDU counts...\n");
	bm_count_apdus(&o.a, trace, &apa);
	if (o.have_b)
		bm_count_apdus(&o.b, trace, &apb);
	else
		memset(&apb, 0xFF, sizeof(apb));
	unlink(trace);

	fprintf(stderr, "tumar-bench: timings...\n");
	struct bm_row *cold = bm_row(&rep, "C_Initialize -> C_Login", BM_TIME);
	both(&o, cold, k ? 20 : 5, do_cold, 0);
	struct bm_row *rsa = bm_row(&rep, "C_Sign RSA-2048 SHA256_RSA_PKCS", BM_TIME);
	both(&o, rsa, k ? 500 : 50, do_sign, BM_RSA_SINGLE);
	struct bm_row *multi = bm_row(&rep, "C_SignInit/Update/Final RSA-2048 (Java)", BM_TIME);
	both(&o, multi, k ? 500 : 50, do_sign, BM_RSA_MULTIPART);
	struct bm_row *ec = bm_row(&rep, "C_Sign ECDSA P-256", BM_TIME);
	both(&o, ec, k ? 1000 : 50, do_sign, BM_ECDSA);
	struct bm_row *gost = bm_row(&rep, "C_Sign GOST-512 (CKM_GOSTR3410_512)", BM_TIME);
	both(&o, gost, k ? 500 : 50, do_sign, BM_GOST512);

	struct bm_row *r1 = bm_row(&rep, "RSA signatures/s, 1 thread", BM_RATE);
	r1->va = rsa->a.n ? 1.0 / bm_median(&rsa->a) : -1;
	r1->vb = rsa->b.n ? 1.0 / bm_median(&rsa->b) : -1;
	fprintf(stderr, "tumar-bench: threads...\n");
	int per_thread = k ? 300 : 20;
	struct bm_row *t1 = threads_row(&o, &rep, "RSA signatures/s, 1 thread (threaded run)",
					"  CPU busy meanwhile, % of all CPUs", 1, 1, per_thread);
	threads_row(&o, &rep, "RSA signatures/s, 2 threads, 1 token", "  CPU busy meanwhile, %", 2,
		    1, per_thread);
	threads_row(&o, &rep, "RSA signatures/s, 4 threads, 1 token", "  CPU busy meanwhile, %", 4,
		    1, per_thread);
	struct bm_row *t2x1 = threads_row(&o, &rep, "RSA signatures/s, 2 tokens x 1 thread",
					  "  CPU busy meanwhile, %", 2, 2, per_thread);
	struct bm_row *t2x2 = threads_row(&o, &rep, "RSA signatures/s, 2 tokens x 2 threads",
					  "  CPU busy meanwhile, %", 4, 2, per_thread);

	fprintf(stderr, "tumar-bench: key generation...\n");
	struct bm_row *kg = bm_row(&rep, "C_GenerateKeyPair RSA-2048", BM_TIME);
	both(&o, kg, k ? 5 : 1, do_keygen, BM_KEY_RSA);
	struct bm_row *kge = bm_row(&rep, "C_GenerateKeyPair EC P-256", BM_TIME);
	both(&o, kge, k ? 10 : 1, do_keygen, BM_KEY_EC);
	struct bm_row *kgg = bm_row(&rep, "C_GenerateKeyPair GOST-512", BM_TIME);
	both(&o, kgg, k ? 10 : 1, do_keygen, BM_KEY_GOST512);

	count_row(&rep, "APDUs: C_Initialize -> first C_Sign", apa.cold_first_sign, apb.cold_first_sign);
	count_row(&rep, "APDUs: steady-state C_Sign", apa.steady_sign, apb.steady_sign);
	count_row(&rep, "APDUs: 70 x C_GetMechanismInfo", apa.mech_info, apb.mech_info);
	count_row(&rep, "APDUs: 10 x C_GetTokenInfo", apa.token_info, apb.token_info);
	count_row(&rep, "APDUs: C_FindObjects, cached", apa.find_cached, apb.find_cached);

	struct bm_row *osr = bm_row(&rep, "OpenSSL RSA-2048 sign (reference)", BM_TIME);
	struct bm_row *ose = bm_row(&rep, "OpenSSL ECDSA P-256 sign (reference)", BM_TIME);
	bm_openssl(k ? 500 : 50, &osr->a, &ose->a);
	struct bm_row *osg = bm_row(&rep, "gost-engine GOST-512 sign (reference)", BM_TIME);
	bm_gost_engine(k ? 500 : 50, &osg->a);

	/* The targets, from this run's figures. */
	if (probe && floor_)
		bm_target(&rep, "emulator APDU round trip / echo-card floor", bm_median(&probe->a) /
			  bm_median(&floor_->a), 1.2, true, "x");
	if (o.have_b)
		bm_target(&rep, "RSA-2048 C_Sign median / peer's", bm_median(&rsa->a) / bm_median(&rsa->b),
			  o.ratio_limit, true, "x");
	if (floor_ && ec->a.n)
		bm_target(&rep, "ECDSA C_Sign / (floor round trip + OpenSSL ECDSA)",
			  bm_median(&ec->a) / (bm_median(&floor_->a) + bm_median(&ose->a)), 1.2, true, "x");
	if (floor_ && gost->a.n && osg->a.n)
		bm_target(&rep, "GOST-512 C_Sign / (floor round trip + gost-engine's signature)",
			  bm_median(&gost->a) / (bm_median(&floor_->a) + bm_median(&osg->a)), 1.2, true,
			  "x");
	bm_target(&rep, "APDUs for a steady-state C_Sign", (double)apa.steady_sign, 1, true, "APDUs");
	if (o.cold_limit >= 0)
		bm_target(&rep, "APDUs from C_Initialize to the first C_Sign",
			  (double)apa.cold_first_sign, o.cold_limit, true, "APDUs");
	bm_target(&rep, "APDUs for C_GetMechanismInfo, C_GetTokenInfo, cached find",
		  apa.mech_info < 0 ? -1 : (double)(apa.mech_info + apa.token_info + apa.find_cached), 0,
		  true, "APDUs");
	/* "2 tokens x 2 threads": read as two threads per token, and as one
	 * thread on each of two tokens; both are shown. */
	if (t2x2->va > 0 && t1->va > 0)
		bm_target(&rep, "2 tokens x 2 threads each / 1 thread, signatures/s", t2x2->va / t1->va,
			  1.8, false, "x");
	if (t2x1->va > 0 && t1->va > 0)
		bm_target(&rep, "2 tokens x 1 thread each / 1 thread, signatures/s", t2x1->va / t1->va,
			  1.8, false, "x");

	bm_print(&rep);
	fflush(stdout); /* before any sanitizer report at exit */
	bool ok = o.json == NULL || bm_write_json(&rep, o.json);
	bm_report_free(&rep);
	bm_close(&o.a);
	if (o.have_b)
		bm_close(&o.b);
	return ok ? 0 : 1;
}
