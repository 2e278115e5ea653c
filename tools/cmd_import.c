/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool import: the key store the NCA hands out, moved onto the
 * token.  Everything is read and checked before the first write: a wrong
 * password, a wrong PIN, an ended certificate or a token that takes no
 * keys leaves the token as it was. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "apdu/rc.h"
#include "tools/json_out.h"
#include "tools/tool_certs.h"
#include "tools/tool_cmds.h"
#include "tools/tool_import.h"
#include "tools/tool_objects.h"
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool import [--password-file F] [--purpose sign|auth] [--label L]\n"
"                         [--replace] FILE.p12\n"
"\n"
"Puts the keys of a PKCS#12 key store on the token, each with the certificate\n"
"beside it: the store the NCA hands out for a computer (RSA_..., AUTH_RSA_...,\n"
"GOST512_....p12), RSA or GOST R 34.10-2015.  The key is labelled as the NCA\n"
"names it (RSA, AUTH_RSA, GOST512, AUTH_GOST512), its purpose read from its\n"
"certificate.  Nothing is written unless the store's password and the PIN\n"
"are right; the key goes from the file to the token, never to disk.\n"
"  --password-file F  the store's password is the first line of F (default:\n"
"                     asked on the terminal)\n"
"  --purpose P        sign or auth, for a key without a certificate\n"
"  --label L          another label (a store with one key)\n"
"  --replace          a key already on the token takes the store's certificate\n"
"                     in place of the one it has\n"
"Needs the PIN (TUMAR_PIN).  The file itself is left as it is: delete it\n"
"yourself once the token works.\n";

struct args {
	const char *password_file, *label;
	bool have_purpose, replace;
	enum tt_purpose purpose;
};

static bool own_opt(int c, const char *arg, void *ctx)
{
	struct args *a = ctx;

	if (c == 'w') {
		a->password_file = arg;
		return true;
	}
	if (c == 'l') {
		a->label = arg;
		return true;
	}
	if (c == 'r')
		return a->replace = true;
	if (c == 'p' && tt_purpose_parse(arg, &a->purpose))
		return a->have_purpose = true;
	if (c == 'p')
		tt_err("%s: not sign or auth", arg);
	return false;
}

/* The file, whole (a key store is a few kilobytes). */
static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	struct stat st;

	if (f == NULL || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || st.st_size > 1024 * 1024) {
		tt_err("%s: not a readable key store file", path);
	} else if ((buf = OPENSSL_secure_malloc((size_t)st.st_size)) != NULL &&
		   fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		tt_err("%s: cannot be read", path);
		OPENSSL_secure_clear_free(buf, (size_t)st.st_size);
		buf = NULL;
	}
	*len = buf ? (size_t)st.st_size : 0;
	if (f)
		fclose(f);
	return buf;
}

/* What each key of the store becomes. */
struct plan {
	X509 *cert;
	enum tt_purpose purpose;
	const char *label;
	bool was_there, key_written;
	bool cert_written; /* the store's certificate was put on (--replace: instead of another) */
	unsigned char id[20];
	char cert_label[80];
};

static int make_plans(const struct tt_p12 *s, const struct args *a, struct plan *pl)
{
	char end[40];

	if (a->label && s->n_keys > 1) {
		tt_err("the store holds %d keys: --label names one", s->n_keys);
		return TT_USAGE;
	}
	for (int i = 0; i < s->n_keys; i++) {
		struct plan *p = &pl[i];
		p->cert = tt_store_cert(s, &s->keys[i]);
		if (p->cert != NULL && tt_days_left(p->cert, end, sizeof(end)) < 0) {
			tt_err("the store's certificate ended on %s: an ended certificate cannot sign; "
			       "nothing was written.  Ask the NCA for new keys.", end);
			return TT_USAGE;
		}
		p->purpose = a->have_purpose ? a->purpose
			     : p->cert ? tt_cert_purpose(p->cert) : TT_SIGN;
		p->label = a->label ? a->label : tt_key_label(p->purpose, tt_p12_key_alg(&s->keys[i]));
	}
	return TT_OK;
}

/* Each key, then its certificate; a certificate that cannot go on takes
 * its newly written key away again. */
static int write_all(struct tt_token *t, const struct tt_p12 *s, struct plan *pl, bool replace)
{
	int rc = TT_OK;

	for (int i = 0; i < s->n_keys && rc == TT_OK; i++) {
		struct plan *p = &pl[i];
		CK_OBJECT_HANDLE priv = 0;
		bool already;

		priv = tt_token_key(t, &s->keys[i]);
		p->was_there = priv != 0;
		if (!p->was_there) {
			rc = tt_import_key(t, &s->keys[i], p->purpose, p->label, p->cert, &priv, p->id);
			p->key_written = rc == TT_OK;
		}
		if (rc == TT_OK && p->cert != NULL) {
			rc = tt_install_at(t, p->cert, priv, replace, p->cert_label, sizeof(p->cert_label),
					   &already);
			p->cert_written = rc == TT_OK && !already;
			if (rc != TT_OK && p->key_written &&
			    t->f->C_DestroyObject(t->s, priv) == CKR_OK)
				p->key_written = false;
		}
	}
	return rc;
}

static void report(const struct tt_opts *o, const struct tt_p12 *s, const struct plan *pl,
		   int left)
{
	char id[41], subject[256];
	struct tj j;

	if (o->json) {
		tj_init(&j, stdout);
		tj_obj(&j, NULL);
		tj_arr(&j, "keys");
	}
	for (int i = 0; i < s->n_keys; i++) {
		const struct plan *p = &pl[i];
		tt_hex(id, p->id, p->key_written ? sizeof(p->id) : 0);
		subject[0] = '\0';
		if (p->cert)
			X509_NAME_oneline(X509_get_subject_name(p->cert), subject, sizeof(subject));
		if (o->json) {
			tj_obj(&j, NULL);
			tj_str(&j, "label", p->label);
			tj_str(&j, "alg", tt_alg_name(tt_p12_key_alg(&s->keys[i])));
			tj_bool(&j, "already_there", p->was_there);
			if (p->key_written)
				tj_str(&j, "id", id);
			if (p->cert) {
				tj_str(&j, "certificate", subject);
				tj_bool(&j, "certificate_written", p->cert_written);
			}
			tj_end(&j, '}');
		} else if (p->was_there && p->cert && p->cert_written) {
			printf("The %s key is already on the token; its certificate is now the store's, "
			       "for %s.\n", p->label, subject);
		} else if (p->was_there) {
			printf("The %s key is already on the token%s.\n", p->label,
			       p->cert ? ", with the store's certificate" : "");
		} else {
			printf("Imported the %s key (%s), ID %s%s%s.\n", p->label,
			       tt_alg_title(tt_p12_key_alg(&s->keys[i])), id,
			       p->cert ? ", with its certificate for " : " (no certificate in the store)",
			       subject);
		}
	}
	if (o->json) {
		tj_end(&j, ']');
		tj_int(&j, "other_certificates", left);
		tj_end(&j, '}');
	} else if (left > 0) {
		printf("%d other certificate%s in the store (the CA's) stayed off the token.\n", left,
		       left == 1 ? "" : "s");
	}
}

int tt_cmd_import(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {
		{"password-file", required_argument, NULL, 'w'},
		{"purpose", required_argument, NULL, 'p'},
		{"label", required_argument, NULL, 'l'},
		{"replace", no_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	struct args a = {0};
	struct plan pl[TT_P12_MAX_KEYS] = {0};
	char password[TT_PIN_MAX + 1];
	struct tt_p12 s = {0};
	struct tt_token t = {0};
	unsigned char *file = NULL;
	const char *why = "";
	size_t len;
	int rc, rest, matched = 0;

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &a, &rest)) >= 0)
		return rc;
	if (rest != argc - 1)
		return tt_usage(stderr, usage, TT_USAGE);
	if ((file = read_file(argv[rest], &len)) == NULL)
		return TT_USAGE;
	if ((rc = tt_secret_get(a.password_file, "key store password", password)) != TT_OK)
		goto out;
	int r = tt_p12_read(file, len, password, &s, &why);
	OPENSSL_cleanse(password, sizeof(password));
	if (r != TM_OK) {
		tt_err("%s: %s; nothing was written", argv[rest], why);
		rc = r == TM_ERR_PIN_INCORRECT ? TT_FAILED : TT_USAGE;
		goto out;
	}
	if ((rc = make_plans(&s, &a, pl)) != TT_OK)
		goto out;
	if ((rc = tt_token_open(o, &t, true)) != TT_OK)
		goto out;
	if ((rc = tt_login(&t, o, CKU_USER)) == TT_OK)
		rc = write_all(&t, &s, pl, a.replace);
	for (int i = 0; i < s.n_keys; i++)
		matched += pl[i].cert != NULL;
	if (rc == TT_OK)
		report(o, &s, pl, sk_X509_num(s.certs) - matched);
	tt_token_close(&t);
out:
	tt_p12_free(&s);
	OPENSSL_secure_clear_free(file, len);
	return rc;
}
