#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A local test CA that issues certificates the way Kazakhstan's NCA does
# (subject kept from the request, NCA role OIDs in the extended key usage,
# NCA policy OIDs), made on the spot with OpenSSL.  For trying the EDS flow
# on a virtual token; never a real CA.  A GOST request with the NCA's OIDs
# (which the openssl command cannot read) goes through the build tree's
# tools/tumar-test-ca-gost, named by TUMAR_TEST_CA_GOST.
#
#   tumar-test-ca.sh init DIR
#   tumar-test-ca.sh issue DIR REQUEST.csr OUT.pem --purpose sign|auth
#                    [--role individual|head|employee] [--days N]
#                    [--start YYYYMMDDHHMMSSZ --end YYYYMMDDHHMMSSZ]
set -euo pipefail

die() { echo "tumar-test-ca: $*" >&2; exit 2; }

init() {
	local dir=$1
	mkdir -p "$dir/issued"
	: >"$dir/index.txt"
	echo 1000 >"$dir/serial"
	cat >"$dir/ca.cnf" <<EOC
[ca]
default_ca = test_ca
[test_ca]
dir = $dir
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir/issued
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
policy = nca_subject
unique_subject = no
copy_extensions = none
[nca_subject]
commonName = supplied
surname = optional
serialNumber = optional
countryName = optional
organizationName = optional
organizationalUnitName = optional
givenName = optional
emailAddress = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Tumar test CA (not the NCA)
C = KZ
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOC
	openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" \
		-days 3650 -config "$dir/ca.cnf" -extensions ca_ext 2>/dev/null
}

issue() {
	local dir=$1 csr=$2 out=$3
	shift 3
	local purpose="" role=individual days=1095 start="" end=""
	while [ $# -gt 0 ]; do
		case $1 in
		--purpose) purpose=$2; shift 2 ;;
		--role) role=$2; shift 2 ;;
		--days) days=$2; shift 2 ;;
		--start) start=$2; shift 2 ;;
		--end) end=$2; shift 2 ;;
		*) die "unknown option $1" ;;
		esac
	done
	local roles policy
	# NCA role OIDs (extended key usage) and policy OIDs.
	case $role in
	individual) roles=1.2.398.3.3.4.1.1 ;;
	head) roles=1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1 ;;
	employee) roles=1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.5 ;;
	*) die "--role: individual, head or employee" ;;
	esac
	case $purpose/$role in
	sign/individual) policy=1.2.398.3.3.2.3 ;;
	auth/individual) policy=1.2.398.3.3.2.4 ;;
	sign/*) policy=1.2.398.3.3.2.1 ;;
	auth/*) policy=1.2.398.3.3.2.2 ;;
	*) die "--purpose: sign or auth" ;;
	esac
	local ext=$dir/ext.$$
	local gost=""
	openssl req -in "$csr" -noout -text 2>/dev/null | grep -q "Public Key Algorithm: 1.2.398.3.10.1.1.2" && gost=1
	if [ "$purpose" = sign ]; then
		printf 'keyUsage = critical, digitalSignature, nonRepudiation\nextendedKeyUsage = emailProtection, %s\n' "$roles" >"$ext"
	elif [ -n "$gost" ]; then # a GOST key signs: it agrees keys, it enciphers none
		printf 'keyUsage = critical, digitalSignature, keyAgreement\nextendedKeyUsage = clientAuth, %s\n' "$roles" >"$ext"
	else
		printf 'keyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = clientAuth, %s\n' "$roles" >"$ext"
	fi
	printf 'certificatePolicies = 1.2.398.3.3.1.1, %s\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n' "$policy" >>"$ext"
	if [ -n "$gost" ]; then
		issue_gost "$dir" "$csr" "$out" "$ext" "$days" "$start" "$end"
		return
	fi
	local dates=(-days "$days")
	[ -n "$start" ] && dates=(-startdate "$start" -enddate "$end")
	openssl ca -batch -notext -config "$dir/ca.cnf" -in "$csr" -out "$out" -preserveDN \
		-extfile "$ext" "${dates[@]}" 2>"$dir/ca.log" || { rm -f "$ext"; cat "$dir/ca.log" >&2; exit 1; }
	rm -f "$ext"
}

# The same for a GOST request, by the helper; the serial and index as
# `openssl ca` keeps them.
issue_gost() { # dir csr out ext days start end
	local dir=$1 helper=${TUMAR_TEST_CA_GOST:-}
	[ -n "$helper" ] && [ -x "$helper" ] ||
		{ rm -f "$4"; die "a GOST request needs TUMAR_TEST_CA_GOST=BUILD/tools/tumar-test-ca-gost"; }
	local serial validity=("$5")
	serial=$(cat "$dir/serial")
	[ -n "$6" ] && validity=("$6" "$7")
	"$helper" "$dir/ca.pem" "$dir/ca.key" "$2" "$4" "0x$serial" "$3" "${validity[@]}" ||
		{ rm -f "$4"; exit 1; }
	rm -f "$4"
	cp "$3" "$dir/issued/$serial.pem"
	printf '%X\n' $((16#$serial + 1)) >"$dir/serial"
}

case ${1:-} in
init) [ $# -eq 2 ] || die "usage: init DIR"; init "$2" ;;
issue) [ $# -ge 4 ] || die "usage: issue DIR REQUEST OUT --purpose sign|auth"; shift; issue "$@" ;;
*) sed -n '2,/^[^#]/{/^#/p}' "$0" | grep -v SPDX-License | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
