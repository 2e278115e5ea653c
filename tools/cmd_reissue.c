/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool reissue: the NCA's re-issue flow in one command.  While the
 * current certificates are valid: new key pairs on the token, requests
 * with the same subject signed by them; then, when the CA has issued
 * them, the new certificates installed next to the new keys. */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include "tools/json_out.h"
#include "tools/tool_certs.h"
#include "tools/tool_cmds.h"
#include "tools/tool_keys.h"
#include "tools/tool_objects.h"
#include "tools/tool_out.h"
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool reissue --out-dir DIR [--purpose sign|auth] [--alg A]\n"
"       tumar-tool reissue --install CERT [--install CERT]\n"
"\n"
"The NCA re-issues certificates only while the current ones are valid.\n"
"The first form checks that, makes a new key pair on the token for each\n"
"certificate (signing and authentication, or the --purpose given) of the\n"
"current key's algorithm (or --alg: gost512, gost256, rsa2048, ec-p256), and\n"
"writes a request with the same subject to DIR/LABEL.csr (RSA.csr,\n"
"AUTH_RSA.csr, GOST512.csr, ...).\n"
"Send them to the CA; the second form installs what it issues next to the\n"
"new keys.  The old keys and certificates stay until you delete them.\n"
"Needs the PIN (TUMAR_PIN).\n";

#define MAX_INSTALL 8

struct args {
	const char *out_dir;
	bool only;
	enum tt_purpose purpose;
	bool have_alg;
	enum tt_alg alg;
	const char *install[MAX_INSTALL];
	int n_install;
};

static bool own_opt(int c, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (c) {
	case 'd': a->out_dir = arg; return true;
	case 'p':
		if (tt_purpose_parse(arg, &a->purpose))
			return a->only = true;
		tt_err("--purpose %s: sign or auth", arg);
		return false;
	case 'a':
		if (tt_alg_parse(arg, &a->alg))
			return a->have_alg = true;
		tt_err("--alg %s: gost512, gost256, rsa2048 or ec-p256", arg);
		return false;
	case 'i':
		if (a->n_install == MAX_INSTALL)
			return false;
		a->install[a->n_install++] = arg;
		return true;
	default:
		return false;
	}
}

/* The valid certificate labelled as one of the purpose's keys (GOST or
 * RSA) that ends last; NULL (reported) when there is none. */
static X509 *current_cert(struct tt_token *t, enum tt_purpose p)
{
	static const enum tt_alg algs[] = {TT_GOST512, TT_GOST256, TT_RSA2048};
	CK_OBJECT_HANDLE certs[TT_MAX_OBJECTS];
	X509 *best = NULL;
	long best_days = -1;
	char end[40];

	for (size_t l = 0; l < sizeof(algs) / sizeof(algs[0]); l++) {
		int n = tt_find(t, CKO_CERTIFICATE, tt_key_label(p, algs[l]), NULL, 0, certs,
				TT_MAX_OBJECTS);
		for (int i = 0; i < n; i++) {
			X509 *x = tt_cert(t, certs[i]);
			long days = x ? tt_days_left(x, end, sizeof(end)) : -1;
			if (x != NULL && days > best_days) {
				X509_free(best);
				best = x;
				best_days = days;
			} else {
				X509_free(x);
			}
		}
	}
	if (best == NULL && t->failed)
		tt_token_failure(t);
	else if (best == NULL)
		tt_err("no valid %s certificate on the token: the NCA re-issues only while the "
		       "current certificate is valid; apply for a new one instead (keygen, csr)",
		       p == TT_SIGN ? "signing" : "authentication");
	return best;
}

/* One new key and its request, planned in full (the current certificate,
 * the new key's algorithm and label, the subject, the request's file)
 * before the token is changed. */
struct plan {
	enum tt_purpose p;
	X509 *cur;
	struct tt_subject subj;
	char buf[2048], path[4096];
	const char *label;
	enum tt_alg alg;
	struct tt_out out;
};

static int plan_one(struct tt_token *t, const struct args *a, enum tt_purpose p, struct plan *pl)
{
	pl->p = p;
	if ((pl->cur = current_cert(t, p)) == NULL)
		return TT_USAGE;
	/* The new key is of the current one's kind unless --alg says. */
	EVP_PKEY *cur_key = tt_cert_key(pl->cur);
	pl->alg = a->have_alg ? a->alg : cur_key ? tt_key_alg(cur_key) : TT_RSA2048;
	EVP_PKEY_free(cur_key);
	pl->label = tt_key_label(p, pl->alg);
	if (!tt_subject_of(pl->cur, &pl->subj, pl->buf, sizeof(pl->buf))) {
		tt_err("the %s certificate has no common name to keep", pl->label);
		return TT_USAGE;
	}
	if (!tt_token_makes(t, pl->alg)) {
		tt_err("this token cannot make %s keys (--alg chooses another)",
		       tt_alg_title(pl->alg));
		return TT_USAGE;
	}
	snprintf(pl->path, sizeof(pl->path), "%s/%s.csr", a->out_dir, pl->label);
	return tt_out_open(&pl->out, pl->path) ? TT_OK : TT_USAGE;
}

static void plan_free(struct plan *pl)
{
	tt_out_abort(&pl->out);
	X509_free(pl->cur);
	pl->cur = NULL;
}

static int make_one(struct tt_token *t, const struct tt_opts *o, struct plan *pl, struct tj *j)
{
	struct tt_new_key k;
	EVP_PKEY *pub = NULL;
	X509_REQ *req = NULL;
	int rc;

	if ((rc = tt_generate(t, pl->p, pl->alg, pl->label, !o->json, &k)) != TT_OK)
		return rc;
	rc = TT_FAILED;
	if ((pub = tt_pubkey(t, k.pub)) == NULL) {
		tt_err("the new key's public half is unreadable");
		goto out;
	}
	if ((req = tt_make_request(t, k.priv, pub, &pl->subj, pl->p)) == NULL)
		goto out;
	if (!tt_write_request(req, &pl->out)) {
		rc = TT_USAGE;
		goto out;
	}
	rc = TT_OK;
	if (o->json) {
		char id[129];
		tt_hex(id, k.id, k.id_len);
		tj_obj(j, NULL);
		tj_str(j, "label", pl->label);
		tj_str(j, "id", id);
		tj_str(j, "request", pl->path);
		tj_end(j, '}');
	} else {
		printf("New %s key on the token; request for \"%s\" written to %s\n", pl->label,
		       pl->subj.cn, pl->path);
	}
out:
	if (rc != TT_OK) {
		/* The key has no request: take it away again rather than leave
		 * a key nothing asked for. */
		t->f->C_DestroyObject(t->s, k.priv);
		t->f->C_DestroyObject(t->s, k.pub);
	}
	X509_REQ_free(req);
	EVP_PKEY_free(pub);
	return rc;
}

static int install_all(struct tt_token *t, const struct tt_opts *o, const struct args *a,
		       struct tj *j)
{
	for (int i = 0; i < a->n_install; i++) {
		X509 *x = tt_load_cert(a->install[i]);
		char label[80];
		bool already;
		int rc = x ? tt_install(t, x, false, label, sizeof(label), &already) : TT_USAGE;
		X509_free(x);
		if (rc != TT_OK)
			return rc;
		if (o->json) {
			tj_obj(j, NULL);
			tj_str(j, "installed", a->install[i]);
			tj_str(j, "key_label", label);
			tj_end(j, '}');
		} else {
			printf("%s installed next to the new %s key.\n", a->install[i], label);
		}
	}
	return TT_OK;
}

int tt_cmd_reissue(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {
		{"out-dir", required_argument, NULL, 'd'}, {"purpose", required_argument, NULL, 'p'},
		{"alg", required_argument, NULL, 'a'}, {"install", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	struct args a = {.alg = TT_RSA2048};
	struct tt_token t;
	struct tj j;
	int rc, rest;

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &a, &rest)) >= 0)
		return rc;
	if (rest != argc || (a.out_dir == NULL) == (a.n_install == 0)) {
		tt_err("reissue needs either --out-dir (new keys and requests) or --install");
		return tt_usage(stderr, usage, TT_USAGE);
	}
	if ((rc = tt_token_open(o, &t, true)) != TT_OK)
		return rc;
	if ((rc = tt_login(&t, o, CKU_USER)) != TT_OK)
		goto out;
	tj_init(&j, stdout);
	if (o->json) {
		tj_obj(&j, NULL);
		tj_arr(&j, a.out_dir ? "new_keys" : "installed");
	}
	if (a.n_install > 0) {
		rc = install_all(&t, o, &a, &j);
	} else {
		/* Both purposes are planned (certificate, subject, output file)
		 * before any key is made, so a flow that cannot finish leaves
		 * the token as it was. */
		struct plan plans[2] = {0};
		int n = 0;
		for (int p = TT_SIGN; p <= TT_AUTH && rc == TT_OK; p++)
			if (!a.only || a.purpose == (enum tt_purpose)p)
				rc = plan_one(&t, &a, (enum tt_purpose)p, &plans[n++]);
		for (int i = 0; i < n && rc == TT_OK; i++)
			rc = make_one(&t, o, &plans[i], &j);
		for (int i = 0; i < n; i++)
			plan_free(&plans[i]);
		if (rc == TT_OK && !o->json)
			printf("Send the requests to the CA, then: tumar-tool reissue --install CERT "
			       "[--install CERT]\n");
	}
	if (o->json) {
		tj_end(&j, ']');
		if (rc != TT_OK) /* what was made before the failure, and the failure */
			tt_json_error(&j, rc, NULL);
		tj_end(&j, '}');
	}
out:
	tt_token_close(&t);
	return rc;
}
