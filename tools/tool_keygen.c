/* tumar-tool: key pairs generated on the token (tools/tool_keys.h). */
#include <config.h>

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

bool tt_alg_parse(const char *s, enum tt_alg *a)
{
	if (strcmp(s, "rsa2048") == 0)
		*a = TT_RSA2048;
	else if (strcmp(s, "ec-p256") == 0)
		*a = TT_EC_P256;
	else
		return false;
	return true;
}

const char *tt_purpose_label(enum tt_purpose p)
{
	return p == TT_SIGN ? "RSA" : "AUTH_RSA";
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

int tt_generate(struct tt_token *t, enum tt_purpose p, enum tt_alg alg, const char *label,
		bool progress, struct tt_new_key *k)
{
	CK_BYTE p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
	CK_BYTE e65537[] = {0x01, 0x00, 0x01};
	char lab[80];
	CK_ULONG lab_len = tt_text(lab, sizeof(lab), label);
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE, auth = p == TT_AUTH;
	CK_ULONG bits = 2048;
	CK_MECHANISM mech = {alg == TT_RSA2048 ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, NULL, 0};
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
	} else {
		pub[npub++] = (CK_ATTRIBUTE){CKA_EC_PARAMS, p256, sizeof(p256)};
	}
	snprintf(what, sizeof(what), "Generating the %s key pair (%s) on the token...", label,
		 alg == TT_RSA2048 ? "RSA-2048" : "EC P-256");
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
	return TT_OK;
}
