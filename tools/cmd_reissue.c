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
	if (best == NULL)
		tt_err("no valid %s certificate on the token: the NCA re-issues only while the "
		       "current certificate is valid; apply for a new one instead (keygen, csr)",
		       p == TT_SIGN ? "signing" : "authentication");
	return best;
}

static int make_one(struct tt_token *t, const struct tt_opts *o, const struct args *a,
		    enum tt_purpose p, struct tj *j)
{
	X509 *cur = current_cert(t, p);
	struct tt_subject subj;
	struct tt_new_key k;
	char buf[2048], path[4096];
	EVP_PKEY *pub = NULL;
	X509_REQ *req = NULL;
	int rc = TT_USAGE;

	if (cur == NULL)
		return TT_USAGE;
	/* The new key is of the current one's kind unless --alg says. */
	EVP_PKEY *cur_key = tt_cert_key(cur);
	enum tt_alg alg = a->have_alg ? a->alg : cur_key ? tt_key_alg(cur_key) : TT_RSA2048;
	EVP_PKEY_free(cur_key);
	const char *label = tt_key_label(p, alg);
	if (!tt_subject_of(cur, &subj, buf, sizeof(buf))) {
		tt_err("the %s certificate has no common name to keep", label);
		goto out;
	}
	if ((rc = tt_generate(t, p, alg, label, !o->json, &k)) != TT_OK)
		goto out;
	rc = TT_FAILED;
	if ((pub = tt_pubkey(t, k.pub)) == NULL) {
		tt_err("the new key's public half is unreadable");
		goto out;
	}
	if ((req = tt_make_request(t, k.priv, pub, &subj, p)) == NULL)
		goto out;
	snprintf(path, sizeof(path), "%s/%s.csr", a->out_dir, label);
	if (!tt_write_request(req, path)) {
		rc = TT_USAGE;
		goto out;
	}
	rc = TT_OK;
	if (o->json) {
		char id[129];
		tt_hex(id, k.id, k.id_len);
		tj_obj(j, NULL);
		tj_str(j, "label", label);
		tj_str(j, "id", id);
		tj_str(j, "request", path);
		tj_end(j, '}');
	} else {
		printf("New %s key on the token; request for \"%s\" written to %s\n", label, subj.cn, path);
	}
out:
	X509_REQ_free(req);
	EVP_PKEY_free(pub);
	X509_free(cur);
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
		/* Both purposes are checked before any key is made, so a flow
		 * that cannot finish leaves the token as it was. */
		for (int p = TT_SIGN; p <= TT_AUTH && !a.only; p++) {
			X509 *x = current_cert(&t, (enum tt_purpose)p);
			X509_free(x);
			if (x == NULL)
				rc = TT_USAGE;
		}
		for (int p = TT_SIGN; p <= TT_AUTH && rc == TT_OK; p++)
			if (!a.only || a.purpose == (enum tt_purpose)p)
				rc = make_one(&t, o, &a, (enum tt_purpose)p, &j);
		if (rc == TT_OK && !o->json)
			printf("Send the requests to the CA, then: tumar-tool reissue --install CERT "
			       "[--install CERT]\n");
	}
	if (o->json) {
		tj_end(&j, ']');
		tj_end(&j, '}');
	}
out:
	tt_token_close(&t);
	return rc;
}
