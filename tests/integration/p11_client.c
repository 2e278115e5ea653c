/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A PKCS#11 application for the integration tests: loads a module with
 * dlopen, as applications do, and signs with the first private key of
 * each token it is given.
 *
 *   p11-client MODULE PIN threads N COUNT SLOT...
 *       N threads, each COUNT signatures (CKM_SHA256_RSA_PKCS, one session
 *       a thread), spread over the slots; every signature verified with
 *       OpenSSL against the module's public key.  Prints the rate.
 *   p11-client MODULE PIN reset SLOT
 *       logs in and signs, prints "ready", waits for a line on stdin
 *       (meanwhile another application resets the card), then signs
 *       again, logs in again and signs: prints the three return codes.
 *   p11-client MODULE PIN loop SECONDS SLOT
 *       signs until SECONDS pass; when the card goes away, waits for it
 *       and carries on.  Prints what it saw: signatures before the card
 *       went, the error codes, signatures after it came back.
 *   p11-client MODULE PIN until FILE MIN SLOT
 *       signs, verifying each signature, until FILE exists and at least
 *       MIN signatures are done (other processes use the card meanwhile
 *       and then make FILE); stops at the first error.
 *   p11-client MODULE PIN alongside OTHER COUNT SLOT
 *       COUNT rounds in one process: the OTHER module (OpenSC's) is
 *       initialised, lists its slots and tokens (probing every card) and
 *       is finalised, then this module signs once, verified.
 *   p11-client MODULE PIN outlive FILE SLOT
 *       signs; creates FILE.ready after the first signature; when a
 *       signature fails, polls the slot list (as applications do) and
 *       signs again once the token is back; ends when FILE exists and a
 *       signature after the last failure worked.  Prints the counts.
 *   p11-client MODULE PIN pulls FILE SLOT
 *       signs, verifying each signature, while another process pulls the
 *       card, restarts pcscd or the emulator; after a failure closes the
 *       session, polls the slot list until the token is back, and signs
 *       in a fresh session.  Ends when FILE exists and a signature after
 *       the last failure worked.  Prints the counts, every code that is
 *       not of the removal family, and the longest call.
 *   p11-client MODULE PIN session-key FILE SLOT
 *       logs in, makes a session key pair (CKA_TOKEN false, label
 *       "sessionkey"), signs with it, creates FILE and waits to be killed.
 */
#include <config.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "driver/p11.h"

static CK_FUNCTION_LIST_PTR f;
static char *pin;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Opens a session, logs in (already logged in is fine), finds the key. */
static CK_RV open_key(CK_SLOT_ID slot, CK_SESSION_HANDLE *s, CK_OBJECT_HANDLE *priv,
		      CK_OBJECT_HANDLE *pub)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_ULONG n = 0;
	CK_RV rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, s);

	if (rv != CKR_OK)
		return rv;
	rv = f->C_Login(*s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		return rv;
	for (int k = 0; k < 2; k++) {
		cls = k == 0 ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY;
		if ((rv = f->C_FindObjectsInit(*s, t, 1)) != CKR_OK)
			return rv;
		rv = f->C_FindObjects(*s, k == 0 ? priv : pub, 1, &n);
		f->C_FindObjectsFinal(*s);
		if (rv != CKR_OK || n != 1)
			return rv != CKR_OK ? rv : CKR_KEY_HANDLE_INVALID;
	}
	return CKR_OK;
}

static EVP_PKEY *public_key(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub)
{
	CK_BYTE n[512], e[16];
	CK_ATTRIBUTE a[] = {{CKA_MODULUS, n, sizeof(n)}, {CKA_PUBLIC_EXPONENT, e, sizeof(e)}};
	EVP_PKEY *key = NULL;

	if (f->C_GetAttributeValue(s, pub, a, 2) != CKR_OK)
		return NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn = BN_bin2bn(n, (int)a[0].ulValueLen, NULL), *be = BN_bin2bn(e, (int)a[1].ulValueLen, NULL);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be);
	OSSL_PARAM *p = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, p) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return key;
}

static CK_RV sign_once(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k, CK_BYTE *msg, CK_ULONG len,
		       CK_BYTE *sig, CK_ULONG *sig_len)
{
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_RV rv = f->C_SignInit(s, &m, k);
	*sig_len = 512;
	return rv == CKR_OK ? f->C_Sign(s, msg, len, sig, sig_len) : rv;
}

struct job {
	CK_SLOT_ID slot;
	int count, id;
	int signed_ok, bad;
	CK_RV error;
};

/* One signature of message number i, verified with the public key. */
static CK_RV sign_verified(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE priv, EVP_PKEY *key, int id,
			   int i, bool *good)
{
	CK_BYTE sig[512];
	CK_ULONG len;
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "thread %d signature %d", id, i);
	CK_RV rv = sign_once(s, priv, (CK_BYTE *)msg, (CK_ULONG)n, sig, &len);

	*good = false;
	if (rv != CKR_OK)
		return rv;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	*good = key && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
		EVP_DigestVerify(md, sig, len, (unsigned char *)msg, (size_t)n) == 1;
	EVP_MD_CTX_free(md);
	return CKR_OK;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE priv, pub;
	bool good;

	if ((j->error = open_key(j->slot, &s, &priv, &pub)) != CKR_OK)
		return NULL;
	EVP_PKEY *key = public_key(s, pub);
	for (int i = 0; i < j->count; i++) {
		if ((j->error = sign_verified(s, priv, key, j->id, i, &good)) != CKR_OK)
			break;
		if (good)
			j->signed_ok++;
		else
			j->bad++;
	}
	EVP_PKEY_free(key);
	f->C_CloseSession(s);
	return NULL;
}

/* Signs until `stop` exists and `min` signatures are done. */
static int until(const char *stop, int min, CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE priv, pub;
	int ok = 0, bad = 0;
	bool good;
	CK_RV rv = open_key(slot, &s, &priv, &pub);
	EVP_PKEY *key = rv == CKR_OK ? public_key(s, pub) : NULL;

	for (int i = 0; rv == CKR_OK && (i < min || access(stop, F_OK) != 0); i++) {
		if ((rv = sign_verified(s, priv, key, 0, i, &good)) == CKR_OK)
			good ? ok++ : bad++;
		if (i == 0) {
			printf("signing\n"); /* the other processes may start */
			fflush(stdout);
		}
	}
	EVP_PKEY_free(key);
	printf("verified=%d bad=%d error=0x%lX\n", ok, bad, rv);
	return rv == CKR_OK && bad == 0 && ok >= min ? 0 : 1;
}

/* Another module in this process probes the cards between signatures. */
static int alongside(const char *other_path, int rounds, CK_SLOT_ID slot)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	CK_FUNCTION_LIST_PTR o;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE priv, pub;
	int ok = 0, bad = 0, other_ok = 0, other_tokens = 0;
	bool good;
	void *lib = dlopen(other_path, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL ||
	    (get = (CK_RV(*)(CK_FUNCTION_LIST_PTR_PTR))dlsym(lib, "C_GetFunctionList")) == NULL ||
	    get(&o) != CKR_OK) {
		fprintf(stderr, "p11-client: cannot load %s\n", other_path);
		return 1;
	}
	CK_RV rv = open_key(slot, &s, &priv, &pub);
	EVP_PKEY *key = rv == CKR_OK ? public_key(s, pub) : NULL;
	for (int i = 0; rv == CKR_OK && i < rounds; i++) {
		CK_SLOT_ID list[16];
		CK_ULONG n = 16;
		CK_TOKEN_INFO ti;
		if (o->C_Initialize(NULL) == CKR_OK) {
			if (o->C_GetSlotList(CK_TRUE, list, &n) == CKR_OK) {
				other_ok++;
				for (CK_ULONG k = 0; k < n; k++)
					other_tokens += o->C_GetTokenInfo(list[k], &ti) == CKR_OK;
			}
			o->C_Finalize(NULL);
		}
		if ((rv = sign_verified(s, priv, key, 0, i, &good)) == CKR_OK)
			good ? ok++ : bad++;
	}
	EVP_PKEY_free(key);
	dlclose(lib);
	printf("rounds=%d other=%d other-tokens=%d verified=%d bad=%d error=0x%lX\n", rounds,
	       other_ok, other_tokens, ok, bad, rv);
	return rv == CKR_OK && bad == 0 && ok == rounds ? 0 : 1;
}

static int threads(int n, int count, CK_SLOT_ID *slots, int n_slots)
{
	pthread_t th[32];
	struct job jobs[32];
	int ok = 0, bad = 0, failed = 0;
	double t0 = now();

	if (n > 32)
		n = 32;
	for (int i = 0; i < n; i++) {
		jobs[i] = (struct job){.slot = slots[i % n_slots], .count = count, .id = i};
		pthread_create(&th[i], NULL, worker, &jobs[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		ok += jobs[i].signed_ok;
		bad += jobs[i].bad;
		if (jobs[i].error != CKR_OK) {
			printf("thread %d: CKR 0x%lX\n", i, jobs[i].error);
			failed++;
		}
	}
	double dt = now() - t0;
	printf("threads=%d tokens=%d verified=%d bad=%d failed=%d seconds=%.2f rate=%.0f/s\n", n,
	       n_slots, ok, bad, failed, dt, ok / dt);
	return ok == n * count && bad == 0 && failed == 0 ? 0 : 1;
}

static int loop(double seconds, CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s = 0;
	CK_OBJECT_HANDLE priv = 0, pub;
	CK_BYTE sig[512];
	CK_ULONG len;
	int before = 0, after = 0, errors = 0, gone = 0;
	CK_RV seen[8];
	double end = now() + seconds;
	bool have = open_key(slot, &s, &priv, &pub) == CKR_OK;

	while (now() < end) {
		if (!have) {
			usleep(50000);
			have = open_key(slot, &s, &priv, &pub) == CKR_OK;
			continue;
		}
		CK_BYTE msg[] = "loop";
		CK_RV rv = sign_once(s, priv, msg, 4, sig, &len);
		if (rv == CKR_OK) {
			if (gone)
				after++;
			else
				before++;
			continue;
		}
		if (errors < 8)
			seen[errors] = rv;
		errors++;
		gone = 1;
		have = false;
	}
	printf("before=%d errors=%d after=%d codes=", before, errors, after);
	for (int i = 0; i < errors && i < 8; i++)
		printf("%s0x%lX", i ? "," : "", seen[i]);
	printf("\n");
	return 0;
}

static int reset_check(CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE priv, pub;
	CK_BYTE sig[512], msg[] = "reset";
	CK_ULONG len;
	char line[16];

	if (open_key(slot, &s, &priv, &pub) != CKR_OK || sign_once(s, priv, msg, 5, sig, &len) != CKR_OK)
		return 1;
	printf("ready\n");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 1;
	CK_RV after = sign_once(s, priv, msg, 5, sig, &len);
	CK_RV relogin = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	CK_RV again = sign_once(s, priv, msg, 5, sig, &len);
	printf("after-reset=0x%lX relogin=0x%lX sign=0x%lX\n", after, relogin, again);
	return 0;
}

static int outlive(const char *file, CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s = 0;
	CK_OBJECT_HANDLE priv = 0, pub;
	CK_BYTE sig[512], msg[] = "outlive";
	CK_ULONG len, n;
	int before = 0, errors = 0, after = 0;
	bool have = false, ready = false;
	char ready_file[4096];

	snprintf(ready_file, sizeof(ready_file), "%s.ready", file);
	for (;;) {
		if (!have) {
			/* Polling, as an application waiting for its token does. */
			n = 0;
			f->C_GetSlotList(CK_TRUE, NULL, &n);
			have = open_key(slot, &s, &priv, &pub) == CKR_OK;
			if (!have) {
				usleep(50000);
				continue;
			}
		}
		if (sign_once(s, priv, msg, sizeof(msg) - 1, sig, &len) != CKR_OK) {
			errors++;
			have = false;
			continue;
		}
		*(errors ? &after : &before) += 1;
		if (!ready) {
			FILE *r = fopen(ready_file, "w");
			if (r != NULL)
				fclose(r);
			ready = true;
		}
		if (access(file, F_OK) == 0 && (errors == 0 || after > 0))
			break;
		usleep(20000);
	}
	printf("before=%d errors=%d after=%d\n", before, errors, after);
	return 0;
}

/* What a card that went away may answer: the device or token gone, or
 * the session it took with it. */
static bool removal_family(CK_RV rv)
{
	return rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT ||
	       rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED;
}

/* The longest call so far, in ms, and the call that took it. */
static double longest_ms;
static const char *longest_what = "-";
static void timed(const char *what, double t0)
{
	double ms = (now() - t0) * 1000.0;
	if (ms > longest_ms) {
		longest_ms = ms;
		longest_what = what;
	}
}

static int pulls(const char *file, CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s = 0;
	CK_OBJECT_HANDLE priv = 0, pub;
	EVP_PKEY *key = NULL;
	int verified = 0, bad = 0, failures = 0, other = 0, back = 0, i = 0, since_failure = 0;
	CK_RV others[8];
	bool have = false, ready = false;
	char ready_file[4096];
	double t0;

	snprintf(ready_file, sizeof(ready_file), "%s.ready", file);
	for (;; i++) {
		if (!have) {
			CK_ULONG n = 0;
			t0 = now();
			f->C_GetSlotList(CK_TRUE, NULL, &n);
			timed("C_GetSlotList", t0);
			t0 = now();
			CK_RV rv = open_key(slot, &s, &priv, &pub);
			timed("open, login, find", t0);
			if (rv != CKR_OK) {
				/* While pcscd is away its readers are too. */
				if (!removal_family(rv) && rv != CKR_SLOT_ID_INVALID && other < 8)
					others[other++] = rv;
				f->C_CloseAllSessions(slot);
				usleep(20000);
				continue;
			}
			EVP_PKEY_free(key);
			key = public_key(s, pub);
			have = true;
			back += failures > 0;
		}
		bool good;
		t0 = now();
		CK_RV rv = sign_verified(s, priv, key, 0, i, &good);
		timed("C_SignInit + C_Sign", t0);
		if (rv != CKR_OK) {
			failures++;
			since_failure = 0;
			if (!removal_family(rv) && other < 8)
				others[other++] = rv;
			f->C_CloseSession(s);
			have = false;
			continue;
		}
		good ? verified++ : bad++;
		since_failure++;
		if (!ready) {
			FILE *r = fopen(ready_file, "w");
			if (r != NULL)
				fclose(r);
			ready = true;
		}
		if (access(file, F_OK) == 0 && since_failure > 0)
			break;
	}
	EVP_PKEY_free(key);
	printf("verified=%d bad=%d failures=%d back=%d longest_ms=%.0f longest=%s other=%d codes=",
	       verified, bad, failures, back, longest_ms, longest_what, other);
	for (int k = 0; k < other; k++)
		printf("%s0x%lX", k ? "," : "", others[k]);
	printf("\n");
	return bad == 0 && other == 0 ? 0 : 1;
}

static int session_key(const char *file, CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE pub, priv;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
	char label[] = "sessionkey";
	CK_ATTRIBUTE pt[] = {{CKA_EC_PARAMS, p256, sizeof(p256)}, {CKA_TOKEN, &no, 1},
			     {CKA_LABEL, label, 10}};
	CK_ATTRIBUTE kt[] = {{CKA_SIGN, &yes, 1}, {CKA_TOKEN, &no, 1}, {CKA_LABEL, label, 10}};
	CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0}, ecdsa = {CKM_ECDSA, NULL, 0};
	CK_BYTE hash[32] = {7}, sig[64];
	CK_ULONG len = sizeof(sig);

	if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK ||
	    f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin)) != CKR_OK ||
	    f->C_GenerateKeyPair(s, &gen, pt, 3, kt, 3, &pub, &priv) != CKR_OK ||
	    f->C_SignInit(s, &ecdsa, priv) != CKR_OK || f->C_Sign(s, hash, 32, sig, &len) != CKR_OK)
		return 1;
	FILE *out = fopen(file, "w");
	if (out == NULL)
		return 1;
	fclose(out);
	for (;;)
		pause(); /* until killed: the key is left on the card */
}

int main(int argc, char **argv)
{
	CK_SLOT_ID slots[8];
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);

	if (argc < 5) {
		fprintf(stderr, "usage: p11-client MODULE PIN threads N COUNT SLOT... | reset SLOT | "
				"loop SECONDS SLOT | until FILE MIN SLOT | alongside OTHER COUNT SLOT | "
				"outlive FILE SLOT | pulls FILE SLOT | session-key FILE SLOT\n");
		return 2;
	}
	void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL || (get = (CK_RV(*)(CK_FUNCTION_LIST_PTR_PTR))dlsym(lib, "C_GetFunctionList")) == NULL ||
	    get(&f) != CKR_OK) {
		fprintf(stderr, "p11-client: cannot load %s: %s\n", argv[1], dlerror());
		return 1;
	}
	pin = argv[2];
	CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
	if (f->C_Initialize(&args) != CKR_OK)
		return 1;
	int rc = 2;
	if (strcmp(argv[3], "threads") == 0 && argc >= 7) {
		int n_slots = 0;
		for (int i = 6; i < argc && n_slots < 8; i++)
			slots[n_slots++] = strtoul(argv[i], NULL, 10);
		rc = threads(atoi(argv[4]), atoi(argv[5]), slots, n_slots);
	} else if (strcmp(argv[3], "reset") == 0 && argc == 5) {
		rc = reset_check(strtoul(argv[4], NULL, 10));
	} else if (strcmp(argv[3], "loop") == 0 && argc == 6) {
		rc = loop(atof(argv[4]), strtoul(argv[5], NULL, 10));
	} else if (strcmp(argv[3], "until") == 0 && argc == 7) {
		rc = until(argv[4], atoi(argv[5]), strtoul(argv[6], NULL, 10));
	} else if (strcmp(argv[3], "outlive") == 0 && argc == 6) {
		rc = outlive(argv[4], strtoul(argv[5], NULL, 10));
	} else if (strcmp(argv[3], "pulls") == 0 && argc == 6) {
		rc = pulls(argv[4], strtoul(argv[5], NULL, 10));
	} else if (strcmp(argv[3], "session-key") == 0 && argc == 6) {
		rc = session_key(argv[4], strtoul(argv[5], NULL, 10));
	} else if (strcmp(argv[3], "alongside") == 0 && argc == 7) {
		rc = alongside(argv[4], atoi(argv[5]), strtoul(argv[6], NULL, 10));
	}
	f->C_Finalize(NULL);
	return rc;
}
