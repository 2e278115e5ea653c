/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool expiry: every certificate on the token and when it ends,
 * with the NCA's reminders, and an exit status for scripts. */
#include <config.h>

#include <stdlib.h>

#include "tools/json_out.h"
#include "tools/tool_certs.h"
#include "tools/tool_cmds.h"
#include "tools/tool_objects.h"

static const char usage[] =
"Usage: tumar-tool expiry [--days N]\n"
"\n"
"Lists the certificates on the token with their end dates.  Warns from N\n"
"days before the end (default 30), with the NCA's reminders at 30, 14, 10\n"
"and 7 days.  Renew while a certificate is valid: tumar-tool reissue.\n"
"Exit status: 0 none ends within N days, 4 one does, 5 one has ended.\n";

static bool own_opt(int c, const char *arg, void *ctx)
{
	char *end;
	long v;

	if (c != 'd')
		return false;
	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || v < 0 || v > 100000) {
		tt_err("--days %s: a number of days", arg);
		return false;
	}
	*(long *)ctx = v;
	return true;
}

/* The NCA reminder that has gone out by now, or 0. */
static int reminder(long days)
{
	int r = 0;

	for (size_t i = 0; i < sizeof(tt_nca_reminders) / sizeof(tt_nca_reminders[0]); i++)
		if (days <= tt_nca_reminders[i])
			r = tt_nca_reminders[i];
	return r;
}

int tt_cmd_expiry(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {{"days", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
	CK_OBJECT_HANDLE certs[TT_MAX_OBJECTS];
	long warn_days = 30;
	struct tt_token t;
	struct tj j;
	int rc, rest, n, worst = TT_OK;
	bool unreadable = false;

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &warn_days, &rest)) >= 0)
		return rc;
	if (rest != argc)
		return tt_usage(stderr, usage, TT_USAGE);
	if ((rc = tt_token_open(o, &t, false)) != TT_OK)
		return rc;
	if ((n = tt_find(&t, CKO_CERTIFICATE, NULL, NULL, 0, certs, TT_MAX_OBJECTS)) < 0) {
		rc = t.failed ? tt_token_failure(&t) : TT_FAILED;
		tt_token_close(&t);
		return rc;
	}
	tj_init(&j, stdout);
	if (o->json) {
		tj_obj(&j, NULL);
		tj_arr(&j, "certificates");
	} else if (n == 0) {
		puts("No certificates on the token.");
	}
	for (int i = 0; i < n; i++) {
		char label[80], cn[128] = "?", end[40];
		X509 *x = tt_cert(&t, certs[i]);
		tt_label(&t, certs[i], label, sizeof(label));
		if (x == NULL) {
			tt_err("the certificate labelled \"%s\" is unreadable", label);
			unreadable = true;
			continue;
		}
		tt_name_field(X509_get_subject_name(x), NID_commonName, "", cn, sizeof(cn));
		long days = tt_days_left(x, end, sizeof(end));
		int state = days < 0 ? TT_EXPIRED : days <= warn_days ? TT_EXPIRING : TT_OK;
		if (state > worst)
			worst = state;
		if (o->json) {
			tj_obj(&j, NULL);
			tj_str(&j, "label", label);
			tj_str(&j, "subject_cn", cn);
			char t3339[32];
			tt_rfc3339(X509_get0_notAfter(x), t3339, sizeof(t3339));
			tj_str(&j, "not_after", t3339);
			tj_int(&j, "days_left", days);
			tj_str(&j, "state", state == TT_EXPIRED ? "ended" : state == TT_EXPIRING ? "ending" : "valid");
			tj_end(&j, '}');
		} else {
			tt_print_padded(label, 12); /* AUTH_GOST512 */
			putchar(' ');
			tt_print_padded(cn, 30);
			printf(" ends %s", end);
			if (days < 0)
				printf("  ENDED: it can no longer sign; apply for a new one\n");
			else if (state == TT_EXPIRING && reminder(days))
				printf("  %ld day%s left (the NCA's %d-day reminder): renew now with "
				       "tumar-tool reissue\n", days, days == 1 ? "" : "s", reminder(days));
			else if (state == TT_EXPIRING)
				printf("  %ld days left: renew soon with tumar-tool reissue\n", days);
			else
				printf("  (%ld days left)\n", days);
		}
		X509_free(x);
	}
	if (o->json) {
		tj_end(&j, ']');
		tj_end(&j, '}');
	}
	tt_token_close(&t);
	return worst != TT_OK ? worst : unreadable ? TT_FAILED : TT_OK;
}
