/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tumar-bench: measures a PKCS#11 module (Tumar's or a peer's such as
 * SoftHSM2) on the work EDS applications do, and the PC/SC transport
 * beneath it.  Figures and ratios are printed, never asserted.
 */
#ifndef TUMAR_BENCH_BENCH_H
#define TUMAR_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>

#include "driver/p11.h"

#define BM_MAX_TOKENS 2

/* Samples of one figure, in seconds. */
struct bm_samples {
	double *v;
	size_t n, cap;
};

void bm_add(struct bm_samples *s, double seconds);
double bm_median(struct bm_samples *s);
double bm_p99(struct bm_samples *s);
void bm_free(struct bm_samples *s);
double bm_now(void);

/* One module under test, with its tokens and keys. */
struct bm_module {
	const char *name, *path;
	char *pin;
	const char *labels[BM_MAX_TOKENS]; /* token labels; NULL: the first / second present */
	void *dl;
	CK_FUNCTION_LIST *f;
	int n_tokens;
	CK_SLOT_ID slot[BM_MAX_TOKENS];
	CK_SESSION_HANDLE s[BM_MAX_TOKENS];
	CK_OBJECT_HANDLE rsa[BM_MAX_TOKENS], ec[BM_MAX_TOKENS], gost[BM_MAX_TOKENS];
	bool has_ec, has_gost; /* GOST-512: TC26's mechanisms (driver/p11_gost.h) */
};

/* Loads the module (dlopen, C_GetFunctionList); false (reported) when it
 * cannot. */
bool bm_load(struct bm_module *m);
/* C_Initialize, the tokens, a session and login on each, and the bench
 * keys ("bench-rsa", "bench-ec"), generated when missing. */
bool bm_open(struct bm_module *m, bool make_keys);
void bm_close(struct bm_module *m);
/* The private key labelled label on token t, or CK_INVALID_HANDLE. */
CK_OBJECT_HANDLE bm_find_key(struct bm_module *m, int t, const char *label);

/* Reports what failed and its CKR; returns false. */
bool bm_fail(const struct bm_module *m, const char *what, CK_RV rv);

/* One timed piece of work on a module, n times, into s.  Each returns
 * false (reported) when the module fails. */
bool bm_cold_login(struct bm_module *m, int n, struct bm_samples *s);
enum bm_sign_form { BM_RSA_SINGLE, BM_RSA_MULTIPART, BM_ECDSA, BM_GOST512 };
enum bm_key_kind { BM_KEY_RSA, BM_KEY_EC, BM_KEY_GOST512 };
bool bm_sign(struct bm_module *m, enum bm_sign_form form, int n, struct bm_samples *s);
bool bm_keygen(struct bm_module *m, enum bm_key_kind kind, int n, struct bm_samples *s);
/* Signatures per second of `threads` threads spread over `tokens` tokens,
 * each thread `count` signatures (RSA single-part) in its own session. */
bool bm_threads(struct bm_module *m, int threads, int tokens, int count, double *rate);

/* The machine's CPU time spent, from /proc/stat: call with start to
 * begin, and it returns the share of all CPUs busy since (0..1), or -1. */
struct bm_cpu {
	unsigned long long busy, total;
};
void bm_cpu_start(struct bm_cpu *c);
double bm_cpu_busy(const struct bm_cpu *c);

/* APDUs the module sends, counted from its APDU trace (TUMAR_TRACE): -1
 * for a module that writes none. */
struct bm_apdus {
	long cold_first_sign, steady_sign, mech_info, token_info, find_cached;
};
bool bm_count_apdus(struct bm_module *m, const char *trace_path, struct bm_apdus *a);

/* PC/SC: GET CHALLENGE round trips to the card in reader, n times, bare
 * and inside a transaction each. */
bool bm_probe(const char *reader, int n, struct bm_samples *bare, struct bm_samples *txn);

/* OpenSSL on this machine, the same work the cards do: RSA-2048
 * PKCS#1 v1.5 with SHA-256, and ECDSA P-256. */
bool bm_openssl(int n, struct bm_samples *rsa, struct bm_samples *ecdsa);
/* gost-engine's GOST-512 signature over a digest (apdu/gost.c), timed. */
bool bm_gost_engine(int n, struct bm_samples *s);

#endif
