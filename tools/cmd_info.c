/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool info: a certificate file as a Kazakh user reads it — who,
 * IIN, organisation and BIN, role, validity.  No token needed. */
#include <config.h>

#include <string.h>

#include <openssl/x509v3.h>

#include "apdu/gost.h"
#include "tools/json_out.h"
#include "tools/kz_id.h"
#include "tools/tool_certs.h"
#include "tools/tool_cmds.h"

static const char usage[] =
"Usage: tumar-tool info FILE\n"
"\n"
"Shows a certificate (PEM or DER): the owner's name, IIN, organisation and\n"
"BIN, role (from the NCA's OIDs), purpose, issuer and validity.\n";

/* The certificate's key, "RSA 2048" as OpenSSL names it; a GOST key
 * with the NCA's OIDs, which OpenSSL does not know, through gost-engine
 * (tt_cert_key). */
static void key_name(X509 *x, char *out, size_t size)
{
	EVP_PKEY *pk = tt_cert_key(x);
	unsigned bits = 0;

	if (pk == NULL)
		snprintf(out, size, "unknown");
	else if (tm_gost_is_gost(pk, &bits))
		snprintf(out, size, "GOST R 34.10-2015 %u", bits);
	else
		snprintf(out, size, "%s %d", EVP_PKEY_get0_type_name(pk), EVP_PKEY_get_bits(pk));
	EVP_PKEY_free(pk);
}

static void key_usage(X509 *x, char *out, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
		{KU_DIGITAL_SIGNATURE, "digitalSignature"}, {KU_NON_REPUDIATION, "nonRepudiation"},
		{KU_KEY_ENCIPHERMENT, "keyEncipherment"}, {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
		{KU_KEY_AGREEMENT, "keyAgreement"}, {KU_KEY_CERT_SIGN, "keyCertSign"},
		{KU_CRL_SIGN, "cRLSign"},
	};
	uint32_t ku = X509_get_key_usage(x);
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && ku != UINT32_MAX; i++)
		if ((ku & bits[i].bit) && len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? ", " : "", bits[i].name);
}

static void line(const char *name, const char *value)
{
	if (value[0] != '\0')
		printf("%-14s %s\n", name, value);
}

int tt_cmd_info(struct tt_opts *o, int argc, char **argv)
{
	char cn[256], surname[128], given[128], iin[64], org[256], bin[64], email[128], issuer[256];
	char roles[512], policies[512], ku[256], end[40], start[40], key[64], buf[300];
	int rc, rest;
	X509 *x;

	if ((rc = tt_parse(o, argc, argv, usage, NULL, NULL, NULL, &rest)) >= 0)
		return rc;
	if (rest != argc - 1)
		return tt_usage(stderr, usage, TT_USAGE);
	if ((x = tt_load_cert(argv[rest])) == NULL)
		return TT_USAGE;
	const X509_NAME *s = X509_get_subject_name(x);
	tt_name_field(s, NID_commonName, "", cn, sizeof(cn));
	tt_name_field(s, NID_surname, "", surname, sizeof(surname));
	tt_name_field(s, NID_givenName, "", given, sizeof(given));
	tt_name_field(s, NID_serialNumber, "IIN", iin, sizeof(iin));
	tt_name_field(s, NID_organizationName, "", org, sizeof(org));
	tt_name_field(s, NID_organizationalUnitName, "BIN", bin, sizeof(bin));
	tt_name_field(s, NID_pkcs9_emailAddress, "", email, sizeof(email));
	tt_name_field(X509_get_issuer_name(x), NID_commonName, "", issuer, sizeof(issuer));
	tt_nca_roles(x, roles, sizeof(roles));
	tt_nca_policies(x, policies, sizeof(policies));
	key_usage(x, ku, sizeof(ku));
	long days = tt_days_left(x, end, sizeof(end));
	struct tm tm;
	if (ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) == 1)
		strftime(start, sizeof(start), "%Y-%m-%d %H:%M UTC", &tm);
	else
		strcpy(start, "(unreadable)");
	key_name(x, key, sizeof(key));
	bool iin_ok = iin[0] && tt_kz_id_valid(iin), bin_ok = bin[0] && tt_kz_id_valid(bin);
	if (o->json) {
		struct tj j;
		tj_init(&j, stdout);
		tj_obj(&j, NULL);
		tj_str(&j, "name", cn);
		tj_str(&j, "surname", surname);
		tj_str(&j, "given_name", given);
		tj_str(&j, "iin", iin);
		tj_bool(&j, "iin_valid", iin_ok);
		tj_str(&j, "organisation", org);
		tj_str(&j, "bin", bin);
		tj_str(&j, "email", email);
		tj_str(&j, "role", roles);
		tj_str(&j, "policy", policies);
		tj_str(&j, "key_usage", ku);
		tj_str(&j, "key", key);
		tj_str(&j, "issuer", issuer);
		char t3339[32];
		tt_rfc3339(X509_get0_notBefore(x), t3339, sizeof(t3339));
		tj_str(&j, "not_before", t3339);
		tt_rfc3339(X509_get0_notAfter(x), t3339, sizeof(t3339));
		tj_str(&j, "not_after", t3339);
		tj_int(&j, "days_left", days);
		tj_end(&j, '}');
	} else {
		line("Name", cn);
		line("Surname", surname);
		line("Given name", given);
		if (iin[0]) {
			snprintf(buf, sizeof(buf), "%s%s", iin, iin_ok ? "" : " (check digit is wrong)");
			line("IIN", buf);
		}
		line("Organisation", org);
		if (bin[0]) {
			snprintf(buf, sizeof(buf), "%s%s", bin, bin_ok ? "" : " (check digit is wrong)");
			line("BIN", buf);
		}
		line("E-mail", email);
		line("Role", roles[0] ? roles : "(no NCA role OIDs)");
		line("Policy", policies);
		line("Key usage", ku);
		line("Key", key);
		line("Issuer", issuer);
		snprintf(buf, sizeof(buf), "%s to %s (%s)", start, end,
			 days < 0 ? "ENDED" : days == 0 ? "ends today" : "valid");
		line("Valid", buf);
		if (days >= 0) {
			snprintf(buf, sizeof(buf), "%ld", days);
			line("Days left", buf);
		}
	}
	X509_free(x);
	return TT_OK;
}
