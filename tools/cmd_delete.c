/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool delete: a key (its private and public halves and its
 * certificate) or a certificate alone, after the owner has seen what goes
 * and said yes.  Nothing deleted can be brought back: a signing key's
 * certificate is paid for and registered with the NCA. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tools/json_out.h"
#include "tools/tool_cmds.h"
#include "tools/tool_keylist.h"
#include "tools/tool_objects.h"
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool delete [--cert-only] [--yes] --id HEX|--label L|URI\n"
"\n"
"Deletes a key from the token: its private key, its public key and its\n"
"certificate; with --cert-only (or a URI with type=cert) the certificate\n"
"alone.  The key is chosen by --id (hex, as tumar-tool keys shows it), by\n"
"--label when only one key has it, or by its PKCS#11 URI.  Shows what will\n"
"go and asks first; --yes answers for scripts (without a terminal delete\n"
"refuses to go on without it).  Needs the PIN (TUMAR_PIN).\n";

struct args {
	struct tt_opts *o;
	struct tt_key_sel sel;
	bool yes, cert_only;
};

static bool own_opt(int c, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (c) {
	case 'd': return tt_key_sel_arg(a->o, &a->sel, "--id", arg);
	case 'l': a->sel.label = arg; return true;
	case 'y': a->yes = true; return true;
	case 'c': a->cert_only = true; return true;
	default: return false;
	}
}

/* What will go, as a sentence's object. */
static void describe(const struct tt_key_entry *k, bool cert_only, char *out, size_t size)
{
	char id[129], cert[256] = "";

	tt_hex(id, k->id, k->id_len);
	if (k->cert != CK_INVALID_HANDLE)
		snprintf(cert, sizeof(cert), "the certificate of %s (%s %s)", k->cert_cn,
			 k->days_left < 0 ? "ended" : "valid until", k->cert_end);
	if (cert_only)
		snprintf(out, size, "%s, ID %s", cert, id);
	else if (k->priv == CK_INVALID_HANDLE && k->pub == CK_INVALID_HANDLE)
		snprintf(out, size, "%s, ID %s (it has no key on the token)", cert, id);
	else
		snprintf(out, size, "the %s key %s (ID %s)%s%s", k->alg, k->label, id,
			 cert[0] ? " and " : ", which has no certificate", cert);
}

/* true when the owner said yes at the terminal. */
static bool confirmed(const char *what)
{
	char line[16];

	fprintf(stderr, "Delete %s from the token?  This cannot be undone.  [y/N] ", what);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	line[strcspn(line, "\n")] = '\0';
	return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

/* The certificate first, then the public key, then the private key: if
 * the card goes away half-way, what is left is never a certificate that
 * points at no key. */
static int destroy(struct tt_token *t, const struct tt_key_entry *k, bool cert_only)
{
	CK_OBJECT_HANDLE order[3] = {k->cert, cert_only ? CK_INVALID_HANDLE : k->pub,
				     cert_only ? CK_INVALID_HANDLE : k->priv};
	static const char *names[3] = {"the certificate", "the public key", "the private key"};

	for (int i = 0; i < 3; i++) {
		if (order[i] == CK_INVALID_HANDLE)
			continue;
		CK_RV rv = t->f->C_DestroyObject(t->s, order[i]);
		if (rv != CKR_OK) {
			char what[64];
			snprintf(what, sizeof(what), "deleting %s", names[i]);
			if (i > 0 && order[0] != CK_INVALID_HANDLE)
				tt_err("the certificate was deleted before this failed");
			return tt_fail(what, rv);
		}
	}
	return TT_OK;
}

int tt_cmd_delete(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {
		{"id", required_argument, NULL, 'd'}, {"label", required_argument, NULL, 'l'},
		{"yes", no_argument, NULL, 'y'}, {"cert-only", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	static struct tt_key_entry keys[TT_MAX_KEYS];
	struct args a = {.o = o};
	int match[TT_MAX_KEYS];
	struct tt_token t;
	char what[512];
	int rc, rest, n, m;

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &a, &rest)) >= 0)
		return rc;
	if (rest == argc - 1 && !tt_key_sel_arg(o, &a.sel, "delete", argv[rest]))
		return TT_USAGE;
	if (rest < argc - 1 || (!a.sel.have_id && a.sel.label == NULL)) {
		tt_err("delete needs the key: --id, --label or its URI");
		return tt_usage(stderr, usage, TT_USAGE);
	}
	a.cert_only = a.cert_only || a.sel.cert_only;
	if (!a.yes && !isatty(STDIN_FILENO)) {
		tt_err("delete asks before it deletes, and there is no terminal to ask at: "
		       "give --yes; nothing was deleted");
		return TT_USAGE;
	}
	if ((rc = tt_token_open(o, &t, true)) != TT_OK)
		return rc;
	if ((rc = tt_login(&t, o, CKU_USER)) != TT_OK)
		goto out;
	if ((n = tt_key_list(&t, keys, TT_MAX_KEYS)) < 0) {
		rc = TT_FAILED;
		goto out;
	}
	m = tt_key_select(keys, n, a.sel.label, a.sel.have_id ? a.sel.id : NULL, a.sel.id_len,
			  match);
	rc = TT_USAGE;
	if (m == 0) {
		tt_err("no key %s on the token (tumar-tool keys lists them); nothing was deleted",
		       a.sel.have_id ? "with that ID" : "with that label");
		goto out;
	}
	if (m > 1) {
		tt_err("%d keys match; choose one with --id (nothing was deleted):", m);
		tt_key_candidates(keys, match, m);
		goto out;
	}
	const struct tt_key_entry *k = &keys[match[0]];
	if (a.cert_only && k->cert == CK_INVALID_HANDLE) {
		tt_err("the key %s has no certificate; nothing was deleted", k->label);
		goto out;
	}
	describe(k, a.cert_only, what, sizeof(what));
	if (!a.yes && !confirmed(what)) {
		tt_err("not confirmed; nothing was deleted");
		rc = TT_FAILED;
		goto out;
	}
	if ((rc = destroy(&t, k, a.cert_only)) == TT_OK) {
		if (o->json) {
			char id[129];
			struct tj j;
			tt_hex(id, k->id, k->id_len);
			tj_init(&j, stdout);
			tj_obj(&j, NULL);
			tj_str(&j, "deleted", a.cert_only ? "certificate" : "key");
			tj_str(&j, "id", id);
			tj_end(&j, '}');
		} else {
			printf("Deleted %s.\n", what);
		}
	}
out:
	tt_token_close(&t);
	return rc;
}
