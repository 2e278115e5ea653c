/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-bench: a module, its tokens, sessions and bench keys. */
#include <config.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "driver/p11_gost.h"

bool bm_load(struct bm_module *m)
{
	CK_C_GetFunctionList get;

	m->dl = dlopen(m->path, RTLD_NOW | RTLD_LOCAL);
	if (m->dl == NULL) {
		fprintf(stderr, "tumar-bench: %s: %s\n", m->name, dlerror());
		return false;
	}
	get = (CK_C_GetFunctionList)dlsym(m->dl, "C_GetFunctionList");
	if (get == NULL || get(&m->f) != CKR_OK) {
		fprintf(stderr, "tumar-bench: %s: not a PKCS#11 module\n", m->path);
		return false;
	}
	return true;
}

bool bm_fail(const struct bm_module *m, const char *what, CK_RV rv)
{
	fprintf(stderr, "tumar-bench: %s: %s: CKR 0x%lX\n", m->name, what, (unsigned long)rv);
	return false;
}

/* The tokens: by label, else the first ones present. */
static bool find_tokens(struct bm_module *m)
{
	CK_SLOT_ID slots[32];
	CK_ULONG n = 32;
	CK_RV rv = m->f->C_GetSlotList(CK_TRUE, slots, &n);

	if (rv != CKR_OK)
		return bm_fail(m, "C_GetSlotList", rv);
	m->n_tokens = 0;
	for (int want = 0; want < BM_MAX_TOKENS; want++) {
		/* Tokens named by label: those only, no others to fill up. */
		if (want > 0 && m->labels[0] != NULL && m->labels[want] == NULL)
			break;
		for (CK_ULONG i = 0; i < n; i++) {
			CK_TOKEN_INFO ti;
			bool taken = false;
			for (int k = 0; k < m->n_tokens; k++)
				taken |= m->slot[k] == slots[i];
			if (taken || m->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
				continue;
			if (m->labels[want] != NULL) {
				size_t len = strlen(m->labels[want]);
				if (len > sizeof(ti.label) || memcmp(ti.label, m->labels[want], len) != 0 ||
				    (len < sizeof(ti.label) && ti.label[len] != ' '))
					continue;
			}
			m->slot[m->n_tokens++] = slots[i];
			break;
		}
		if (m->n_tokens == want)
			break;
	}
	if (m->n_tokens == 0) {
		fprintf(stderr, "tumar-bench: %s: no token\n", m->name);
		return false;
	}
	return true;
}

CK_OBJECT_HANDLE bm_find_key(struct bm_module *m, int t, const char *label)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	char lab[32];
	CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_LABEL, lab, strlen(label)}};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	snprintf(lab, sizeof(lab), "%s", label);
	if (m->f->C_FindObjectsInit(m->s[t], tmpl, 2) == CKR_OK) {
		m->f->C_FindObjects(m->s[t], &h, 1, &n);
		m->f->C_FindObjectsFinal(m->s[t]);
	}
	return n == 1 ? h : CK_INVALID_HANDLE;
}

/* A key pair on token t, labelled label; its private key in *priv. */
static CK_RV generate(struct bm_module *m, int t, enum bm_key_kind kind, const char *label,
		      CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	bool ec = kind == BM_KEY_EC, gost = kind == BM_KEY_GOST512;
	CK_BYTE p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
	CK_BYTE e[] = {0x01, 0x00, 0x01};
	CK_ULONG bits = 2048;
	CK_BBOOL yes = CK_TRUE;
	char lab[32];
	CK_ULONG lab_len = (CK_ULONG)snprintf(lab, sizeof(lab), "%s", label);
	CK_MECHANISM mech = {gost ? CKM_GOSTR3410_512_KEY_PAIR_GEN
			     : ec ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_ATTRIBUTE pt[] = {
		{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_LABEL, lab, lab_len}, {CKA_VERIFY, &yes, sizeof(yes)},
		ec ? (CK_ATTRIBUTE){CKA_EC_PARAMS, p256, sizeof(p256)}
		   : (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits, sizeof(bits)},
		{CKA_PUBLIC_EXPONENT, e, sizeof(e)},
	};
	CK_ATTRIBUTE kt[] = {
		{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_LABEL, lab, lab_len}, {CKA_SIGN, &yes, sizeof(yes)},
		{CKA_PRIVATE, &yes, sizeof(yes)}, {CKA_SENSITIVE, &yes, sizeof(yes)},
	};

	/* GOST: the mechanism names the size, the token its one set. */
	return m->f->C_GenerateKeyPair(m->s[t], &mech, pt, gost ? 3 : ec ? 4 : 5, kt, 5, pub, priv);
}

static bool has_mechanism(struct bm_module *m, CK_MECHANISM_TYPE type)
{
	CK_MECHANISM_INFO mi;

	return m->f->C_GetMechanismInfo(m->slot[0], type, &mi) == CKR_OK;
}

bool bm_open(struct bm_module *m, bool make_keys)
{
	CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
	CK_RV rv = m->f->C_Initialize(&args);

	if (rv != CKR_OK)
		return bm_fail(m, "C_Initialize", rv);
	if (!find_tokens(m))
		return false;
	m->has_ec = has_mechanism(m, CKM_ECDSA) && has_mechanism(m, CKM_EC_KEY_PAIR_GEN);
	m->has_gost = has_mechanism(m, CKM_GOSTR3410_512) &&
		      has_mechanism(m, CKM_GOSTR3410_512_KEY_PAIR_GEN);
	for (int t = 0; t < m->n_tokens; t++) {
		CK_OBJECT_HANDLE pub;
		rv = m->f->C_OpenSession(m->slot[t], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &m->s[t]);
		if (rv == CKR_OK)
			rv = m->f->C_Login(m->s[t], CKU_USER, (CK_UTF8CHAR_PTR)m->pin, strlen(m->pin));
		if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
			return bm_fail(m, "open and log in", rv);
		m->rsa[t] = bm_find_key(m, t, "bench-rsa");
		m->ec[t] = m->has_ec ? bm_find_key(m, t, "bench-ec") : CK_INVALID_HANDLE;
		m->gost[t] = m->has_gost ? bm_find_key(m, t, "bench-gost") : CK_INVALID_HANDLE;
		if (make_keys && m->rsa[t] == CK_INVALID_HANDLE &&
		    (rv = generate(m, t, BM_KEY_RSA, "bench-rsa", &pub, &m->rsa[t])) != CKR_OK)
			return bm_fail(m, "generating bench-rsa", rv);
		if (make_keys && m->has_ec && m->ec[t] == CK_INVALID_HANDLE &&
		    (rv = generate(m, t, BM_KEY_EC, "bench-ec", &pub, &m->ec[t])) != CKR_OK)
			return bm_fail(m, "generating bench-ec", rv);
		if (make_keys && m->has_gost && m->gost[t] == CK_INVALID_HANDLE &&
		    (rv = generate(m, t, BM_KEY_GOST512, "bench-gost", &pub, &m->gost[t])) != CKR_OK)
			return bm_fail(m, "generating bench-gost", rv);
		if (m->rsa[t] == CK_INVALID_HANDLE) {
			fprintf(stderr, "tumar-bench: %s: no key bench-rsa (run with --setup)\n", m->name);
			return false;
		}
	}
	return true;
}

void bm_close(struct bm_module *m)
{
	if (m->f != NULL)
		m->f->C_Finalize(NULL);
}

bool bm_keygen(struct bm_module *m, enum bm_key_kind kind, int n, struct bm_samples *s)
{
	for (int i = 0; i < n; i++) {
		CK_OBJECT_HANDLE pub, priv;
		double t0 = bm_now();
		CK_RV rv = generate(m, 0, kind, "bench-keygen", &pub, &priv);
		if (rv != CKR_OK)
			return bm_fail(m, "C_GenerateKeyPair", rv);
		bm_add(s, bm_now() - t0);
		m->f->C_DestroyObject(m->s[0], priv);
		m->f->C_DestroyObject(m->s[0], pub); /* gone already on modules that pair them */
	}
	return true;
}
