/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: key pairs generated on the token (tools/tool_keys.h). */
#include <config.h>

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apdu/gost.h"
#include "driver/p11_gost.h"
#include "tools/tool_import.h"
#include "tools/tool_keys.h"
#include "tools/tool_objects.h"

bool tt_purpose_parse(const char *s, enum tt_purpose *p)
{
	if (strcmp(s, "sign") == 0)
		*p = TT_SIGN;
	else if (strcmp(s, "auth") == 0)
		*p = TT_AUTH;
	else
		return false;
	return true;
}

static const struct {
	const char *name, *title, *sign_label, *auth_label;
	CK_MECHANISM_TYPE gen;
} algs[TT_N_ALGS] = {
	[TT_RSA2048] = {"rsa2048", "RSA-2048", "RSA", "AUTH_RSA", CKM_RSA_PKCS_KEY_PAIR_GEN},
	[TT_EC_P256] = {"ec-p256", "EC P-256", "RSA", "AUTH_RSA", CKM_EC_KEY_PAIR_GEN},
	[TT_GOST512] = {"gost512", "GOST R 34.10-2015 512", "GOST512", "AUTH_GOST512",
			CKM_GOSTR3410_512_KEY_PAIR_GEN},
	[TT_GOST256] = {"gost256", "GOST R 34.10-2015 256", "GOST256", "AUTH_GOST256",
			CKM_GOSTR3410_KEY_PAIR_GEN},
};

bool tt_alg_parse(const char *s, enum tt_alg *a)
{
	for (int i = 0; i < TT_N_ALGS; i++) {
		if (strcmp(s, algs[i].name) == 0) {
			*a = (enum tt_alg)i;
			return true;
		}
	}
	return false;
}

const char *tt_alg_name(enum tt_alg a)
{
	return algs[a].name;
}

const char *tt_alg_title(enum tt_alg a)
{
	return algs[a].title;
}

const char *tt_key_label(enum tt_purpose p, enum tt_alg a)
{
	return p == TT_SIGN ? algs[a].sign_label : algs[a].auth_label;
}

const char *tt_purpose_label(enum tt_purpose p)
{
	return tt_key_label(p, TT_RSA2048);
}

bool tt_alg_is_gost(enum tt_alg a)
{
	return a == TT_GOST512 || a == TT_GOST256;
}

enum tt_alg tt_key_alg(EVP_PKEY *pub)
{
	unsigned bits;
	if (tm_gost_is_gost(pub, &bits))
		return bits == 512 ? TT_GOST512 : TT_GOST256;
	return EVP_PKEY_is_a(pub, "EC") ? TT_EC_P256 : TT_RSA2048;
}

bool tt_token_makes(struct tt_token *t, enum tt_alg a)
{
	CK_MECHANISM_INFO info;
	return t->f->C_GetMechanismInfo(t->slot, algs[a].gen, &info) == CKR_OK &&
	       (info.flags & CKF_GENERATE_KEY_PAIR);
}

/* A spinner on stderr while the card works: RSA generation on a real
 * token takes seconds to a minute. */
struct progress {
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	bool done;
	const char *what;
};

static void *spin(void *arg)
{
	static const char marks[] = "|/-\\";
	struct progress *p = arg;
	struct timespec ts;
	unsigned n = 0;

	pthread_mutex_lock(&p->lock);
	while (!p->done) {
		fprintf(stderr, "\r%s %c", p->what, marks[n++ % 4]);
		fflush(stderr);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 150000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->done_cv, &p->lock, &ts);
	}
	fprintf(stderr, "\r%s done\n", p->what);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Tumar's module gives a new key pair the SHA-1 of its public key as
 * CKA_ID (as OpenSC does); other vendors' modules (SoftHSM2) give none,
 * and a certificate finds its key by ID.  The same ID is set here. */
static CK_RV give_id(struct tt_token *t, struct tt_new_key *k)
{
	EVP_PKEY *pub = tt_pubkey(t, k->pub);
	CK_ATTRIBUTE id = {CKA_ID, k->id, 20};
	CK_RV rv = CKR_FUNCTION_FAILED;

	if (pub != NULL && tt_key_id(pub, k->id) &&
	    (rv = t->f->C_SetAttributeValue(t->s, k->pub, &id, 1)) == CKR_OK &&
	    (rv = t->f->C_SetAttributeValue(t->s, k->priv, &id, 1)) == CKR_OK)
		k->id_len = 20;
	EVP_PKEY_free(pub);
	return rv;
}

int tt_generate(struct tt_token *t, enum tt_purpose p, enum tt_alg alg, const char *label,
		bool progress, struct tt_new_key *k)
{
	CK_BYTE p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
	CK_BYTE e65537[] = {0x01, 0x00, 0x01};
	char lab[80];
	CK_ULONG lab_len = tt_text(lab, sizeof(lab), label);
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE, auth = p == TT_AUTH;
	CK_ULONG bits = 2048;
	CK_MECHANISM mech = {algs[alg].gen, NULL, 0};
	CK_ATTRIBUTE pub[8] = {
		{CKA_TOKEN, &yes, sizeof(yes)},
		{CKA_PRIVATE, &no, sizeof(no)},
		{CKA_LABEL, lab, lab_len},
		{CKA_VERIFY, &yes, sizeof(yes)},
	}, priv[8] = {
		{CKA_TOKEN, &yes, sizeof(yes)},
		{CKA_PRIVATE, &yes, sizeof(yes)},
		{CKA_SENSITIVE, &yes, sizeof(yes)},
		{CKA_LABEL, lab, lab_len},
		{CKA_SIGN, &yes, sizeof(yes)},
	};
	CK_ULONG npub = 4, npriv = 5;
	struct progress pr = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, NULL};
	char what[96];
	pthread_t th;
	bool spinning = false;
	CK_RV rv;

	if (alg == TT_RSA2048) {
		pub[npub++] = (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits, sizeof(bits)};
		pub[npub++] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, e65537, sizeof(e65537)};
		/* An authentication key also decrypts (TLS key transport). */
		pub[npub++] = (CK_ATTRIBUTE){CKA_ENCRYPT, &auth, sizeof(auth)};
		priv[npriv++] = (CK_ATTRIBUTE){CKA_DECRYPT, &auth, sizeof(auth)};
	} else if (alg == TT_EC_P256) {
		pub[npub++] = (CK_ATTRIBUTE){CKA_EC_PARAMS, p256, sizeof(p256)};
	} /* GOST: the mechanism names the size; the token has one parameter set */
	snprintf(what, sizeof(what), "Generating the %s key pair (%s) on the token...", label,
		 algs[alg].title);
	if (progress && isatty(STDERR_FILENO)) {
		pr.what = what;
		spinning = pthread_create(&th, NULL, spin, &pr) == 0;
	} else if (progress) {
		fprintf(stderr, "%s\n", what);
	}
	double t0 = now();
	rv = t->f->C_GenerateKeyPair(t->s, &mech, pub, npub, priv, npriv, &k->pub, &k->priv);
	k->seconds = now() - t0;
	if (spinning) {
		pthread_mutex_lock(&pr.lock);
		pr.done = true;
		pthread_cond_signal(&pr.done_cv);
		pthread_mutex_unlock(&pr.lock);
		pthread_join(th, NULL);
	}
	if (rv != CKR_OK)
		return tt_fail("generating the key pair", rv);
	CK_ATTRIBUTE id = {CKA_ID, k->id, sizeof(k->id)};
	if (t->f->C_GetAttributeValue(t->s, k->pub, &id, 1) != CKR_OK)
		id.ulValueLen = 0;
	k->id_len = id.ulValueLen;
	if (k->id_len == 0 && (rv = give_id(t, k)) != CKR_OK) {
		/* A key without an ID cannot be paired with its certificate:
		 * take it away rather than leave it so. */
		t->f->C_DestroyObject(t->s, k->priv);
		t->f->C_DestroyObject(t->s, k->pub);
		return tt_fail("giving the new key its ID", rv);
	}
	return TT_OK;
}
