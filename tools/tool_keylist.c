/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: the keys on a token, grouped by ID (tools/tool_keylist.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "driver/p11_gost.h"

#include "tools/tool_certs.h"
#include "tools/tool_keylist.h"
#include "tools/tool_objects.h"
#include "tools/tool_uri.h"

/* The entry with this ID, a new one when none (NULL when full). */
static struct tt_key_entry *entry_for(struct tt_key_entry *k, int *n, int max,
				      const unsigned char *id, size_t id_len)
{
	for (int i = 0; i < *n; i++)
		if (k[i].id_len == id_len && memcmp(k[i].id, id, id_len) == 0)
			return &k[i];
	if (*n == max || id_len > sizeof(k[0].id))
		return NULL;
	struct tt_key_entry *e = &k[(*n)++];
	memset(e, 0, sizeof(*e));
	memcpy(e->id, id, id_len);
	e->id_len = id_len;
	e->priv = e->pub = e->cert = CK_INVALID_HANDLE;
	return e;
}

/* The algorithm as tumar-tool's --alg names it, from the key object. */
static void key_alg(struct tt_token *t, CK_OBJECT_HANDLE h, char *out, size_t size)
{
	CK_KEY_TYPE kt;
	CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof(kt)};
	size_t len;

	if (t->f->C_GetAttributeValue(t->s, h, &a, 1) != CKR_OK) {
		snprintf(out, size, "unknown");
		return;
	}
	if (kt == CKK_RSA) {
		unsigned char *m = tt_attr(t, h, CKA_MODULUS, &len);
		free(m);
		if (len > 0)
			snprintf(out, size, "rsa%zu", len * 8);
		else
			snprintf(out, size, "rsa");
	} else if (kt == CKK_EC) {
		unsigned char *p = tt_attr(t, h, CKA_EC_PARAMS, &len);
		const unsigned char *q = p;
		ASN1_OBJECT *curve = p ? d2i_ASN1_OBJECT(NULL, &q, (long)len) : NULL;
		int nid = curve ? OBJ_obj2nid(curve) : NID_undef;
		snprintf(out, size, "%s", nid == NID_X9_62_prime256v1 ? "ec-p256"
				  : nid != NID_undef ? OBJ_nid2sn(nid) : "ec");
		ASN1_OBJECT_free(curve);
		free(p);
	} else if (kt == CKK_GOSTR3410_512) {
		snprintf(out, size, "gost512");
	} else if (kt == CKK_GOSTR3410) {
		snprintf(out, size, "gost256");
	} else {
		snprintf(out, size, "type 0x%lx", (unsigned long)kt);
	}
}

static int gather(struct tt_token *t, CK_OBJECT_CLASS cls, struct tt_key_entry *k, int *n,
		  int max)
{
	CK_OBJECT_HANDLE h[TT_MAX_OBJECTS];
	int found = tt_find(t, cls, NULL, NULL, 0, h, TT_MAX_OBJECTS);

	for (int i = 0; i < found; i++) {
		size_t len;
		unsigned char *id = tt_attr(t, h[i], CKA_ID, &len);
		struct tt_key_entry *e = entry_for(k, n, max, id ? id : (const unsigned char *)"",
						   id ? len : 0);
		free(id);
		if (e == NULL) {
			tt_err("more than %d keys on the token: not all are shown", max);
			return 0;
		}
		/* A second object of a class under one ID (two certificates
		 * for one key) gets an entry of its own. */
		CK_OBJECT_HANDLE *slot = cls == CKO_PRIVATE_KEY ? &e->priv
				       : cls == CKO_PUBLIC_KEY ? &e->pub : &e->cert;
		if (*slot != CK_INVALID_HANDLE) {
			if (*n == max)
				return 0;
			struct tt_key_entry *again = &k[(*n)++];
			*again = *e;
			again->priv = again->pub = again->cert = CK_INVALID_HANDLE;
			e = again;
			slot = cls == CKO_PRIVATE_KEY ? &e->priv : cls == CKO_PUBLIC_KEY ? &e->pub
											  : &e->cert;
		}
		*slot = h[i];
		if (e->label[0] == '\0' || cls == CKO_PRIVATE_KEY)
			tt_label(t, h[i], e->label, sizeof(e->label));
		if (cls != CKO_CERTIFICATE && e->alg[0] == '\0')
			key_alg(t, h[i], e->alg, sizeof(e->alg));
		if (cls == CKO_CERTIFICATE) {
			X509 *x = tt_cert(t, h[i]);
			if (x != NULL) {
				tt_name_field(X509_get_subject_name(x), NID_commonName, "", e->cert_cn,
					      sizeof(e->cert_cn));
				e->days_left = tt_days_left(x, e->cert_end, sizeof(e->cert_end));
				tt_rfc3339(X509_get0_notAfter(x), e->cert_end_3339,
					   sizeof(e->cert_end_3339));
				X509_free(x);
			} else {
				snprintf(e->cert_cn, sizeof(e->cert_cn), "(unreadable)");
			}
		}
	}
	return found < 0 ? -1 : 0;
}

int tt_key_list(struct tt_token *t, struct tt_key_entry *out, int max)
{
	int n = 0;
	CK_SESSION_INFO si;
	bool in = t->f->C_GetSessionInfo(t->s, &si) == CKR_OK &&
		  (si.state == CKS_RO_USER_FUNCTIONS || si.state == CKS_RW_USER_FUNCTIONS);

	/* Private keys first: their labels are the ones the owner chose. */
	if (gather(t, CKO_PRIVATE_KEY, out, &n, max) < 0 ||
	    gather(t, CKO_PUBLIC_KEY, out, &n, max) < 0 ||
	    gather(t, CKO_CERTIFICATE, out, &n, max) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		out[i].logged_in = in;
	return n;
}

int tt_key_select(const struct tt_key_entry *k, int n, const char *label,
		  const unsigned char *id, size_t id_len, int *match)
{
	int m = 0;

	for (int i = 0; i < n; i++) {
		if (id != NULL && (k[i].id_len != id_len || memcmp(k[i].id, id, id_len) != 0))
			continue;
		if (label != NULL && strcmp(k[i].label, label) != 0)
			continue;
		match[m++] = i;
	}
	return m;
}

static const char *kind(const struct tt_key_entry *k)
{
	if (k->priv != CK_INVALID_HANDLE && k->pub != CK_INVALID_HANDLE)
		return "key pair";
	if (k->priv != CK_INVALID_HANDLE)
		return "private key only";
	if (k->pub != CK_INVALID_HANDLE)
		/* Without a login the private half is not visible: say so
		 * rather than call it a lone public key. */
		return k->logged_in ? "public key only" : "key (its private half is seen after --login)";
	return "certificate";
}

static char *entry_uri(struct tt_token *t, const struct tt_key_entry *k)
{
	/* No type: the URI names the key pair and its certificate together,
	 * and each program takes the object it needs (RFC 7512 §2.3). */
	return tt_object_uri(&t->info, (CK_OBJECT_CLASS)-1, k->label[0] ? k->label : NULL, k->id,
			     k->id_len);
}

void tt_key_print(struct tt_token *t, const struct tt_key_entry *k)
{
	char id[129];
	char *uri = entry_uri(t, k);

	tt_hex(id, k->id, k->id_len);
	printf("%s  %s  %s", k->label[0] ? k->label : "(no label)", k->alg[0] ? k->alg : "-",
	       kind(k));
	printf("\n  id       %s\n", id[0] ? id : "(none)");
	if (k->cert != CK_INVALID_HANDLE)
		printf("  cert     %s, %s %s\n", k->cert_cn, k->days_left < 0 ? "ended" : "ends",
		       k->cert_end);
	else
		printf("  cert     none\n");
	printf("  URI      %s\n", uri ? uri : "(out of memory)");
	free(uri);
}

void tt_key_json(struct tt_token *t, struct tj *j, const struct tt_key_entry *k)
{
	char id[129];
	char *uri = entry_uri(t, k);

	tt_hex(id, k->id, k->id_len);
	tj_obj(j, NULL);
	tj_str(j, "label", k->label);
	tj_str(j, "id", id);
	tj_str(j, "algorithm", k->alg[0] ? k->alg : NULL);
	tj_str(j, "kind", kind(k));
	if (k->logged_in || k->priv != CK_INVALID_HANDLE)
		tj_bool(j, "private_key", k->priv != CK_INVALID_HANDLE);
	else
		tj_str(j, "private_key", NULL); /* not known without a login */
	tj_bool(j, "public_key", k->pub != CK_INVALID_HANDLE);
	if (k->cert != CK_INVALID_HANDLE) {
		tj_obj(j, "certificate");
		tj_str(j, "subject_cn", k->cert_cn);
		tj_str(j, "not_after", k->cert_end_3339);
		tj_int(j, "days_left", k->days_left);
		tj_end(j, '}');
	} else {
		tj_str(j, "certificate", NULL);
	}
	tj_str(j, "uri", uri);
	tj_end(j, '}');
	free(uri);
}

void tt_key_candidates(const struct tt_key_entry *k, const int *match, int n)
{
	for (int i = 0; i < n; i++) {
		const struct tt_key_entry *e = &k[match[i]];
		char id[129];
		tt_hex(id, e->id, e->id_len);
		fprintf(stderr, "  --id %s  %s  %s  ", id[0] ? id : "\"\"", e->label, e->alg);
		if (e->cert != CK_INVALID_HANDLE)
			fprintf(stderr, "certificate %s, %s %s\n", e->cert_cn,
				e->days_left < 0 ? "ended" : "ends", e->cert_end);
		else
			fprintf(stderr, "no certificate\n");
	}
}

bool tt_key_sel_arg(struct tt_opts *o, struct tt_key_sel *sel, const char *what, const char *arg)
{
	if (!tt_is_uri(arg)) {
		long n;
		unsigned char *id = OPENSSL_hexstr2buf(arg, &n);
		if (id == NULL || n <= 0 || (size_t)n > sizeof(sel->id)) {
			OPENSSL_free(id);
			tt_err("%s %s: not a hex ID or a PKCS#11 URI", what, arg);
			return false;
		}
		memcpy(sel->id, id, (size_t)n);
		sel->id_len = (size_t)n;
		sel->have_id = true;
		OPENSSL_free(id);
		return true;
	}
	P11KitUri *u = tt_uri_parse(arg, what);
	struct tt_uri_object obj;
	if (u == NULL || !tt_uri_object(u, &obj)) {
		p11_kit_uri_free(u);
		return false;
	}
	if (!obj.have_id && !obj.have_label) {
		tt_err("%s %s: the URI names no object (add id=... or object=...)", what, arg);
		p11_kit_uri_free(u);
		return false;
	}
	if (obj.have_id) {
		memcpy(sel->id, obj.id, obj.id_len);
		sel->id_len = obj.id_len;
		sel->have_id = true;
	}
	if (obj.have_label) {
		snprintf(sel->label_buf, sizeof(sel->label_buf), "%s", obj.label);
		sel->label = sel->label_buf;
	}
	sel->have_class = obj.have_class;
	sel->cls = obj.cls;
	sel->cert_only = obj.have_class && obj.cls == CKO_CERTIFICATE;
	p11_kit_uri_free(o->object_uri);
	o->object_uri = u;
	return true;
}
