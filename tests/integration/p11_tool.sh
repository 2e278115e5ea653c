#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-pkcs11.so through the real stack, driven by OpenSC's pkcs11-tool,
# for every model: token info and flags, on-card key generation, signing
# verified by pkcs11-tool and by OpenSSL, PIN change, a PIN blocked by
# wrong tries and unblocked with the SO PIN.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
module_stack

declare -A NAME=([kaztoken]="Kaztoken" [etoken-pro-72k]="eToken PRO 72K" [jacarta-pki]="JaCarta PKI"
	[akey]="aKey" [kz-idcard]="KZ ID card" [tumar-full]="Tumar Full")
declare -A PIN=([kaztoken]=12345678 [etoken-pro-72k]=1234567890 [jacarta-pki]=1234567890
	[akey]=1234567890 [kz-idcard]=135790 [tumar-full]=1234567890)
declare -A SO=([kaztoken]=87654321 [etoken-pro-72k]=1234567890 [jacarta-pki]=00000000
	[akey]=0987654321 [kz-idcard]=12345678 [tumar-full]=00000000)
declare -A NEW=([kaztoken]=Newpin42 [etoken-pro-72k]=Newpin42 [jacarta-pki]=Newpin42
	[akey]=Newpin42 [kz-idcard]=246802 [tumar-full]=Newpin42)

sign_verify() { # model id mechanism
	local dir=$WORK/$1
	mkdir -p "$dir" && echo "document for $1" >"$dir/msg"
	p11 --login --pin "$2" --sign --id "$3" -m "$4" -i "$dir/msg" -o "$dir/sig" &&
		p11 --verify --id "$3" -m "$4" -i "$dir/msg" --signature-file "$dir/sig" || return 1
	# OpenSSL checks RSA signatures independently.  (pkcs11-tool 0.23's
	# --read-object of an EC public key reads freed memory under ASan, a
	# bug of its own: EC signatures are checked by --verify above.)
	[ "$4" = SHA256-RSA-PKCS ] || return 0
	p11 --read-object --type pubkey --id "$3" -o "$dir/pub.der" &&
		openssl pkey -pubin -inform DER -in "$dir/pub.der" -out "$dir/pub.pem" &&
		openssl dgst -sha256 -verify "$dir/pub.pem" -signature "$dir/sig" "$dir/msg"
}

wrong_until_locked() { # pin-length
	local bad i
	bad=$(printf '%0*d' "$1" 9)
	for i in $(seq 1 20); do
		out=$(p11 --login --pin "$bad" -O 2>&1)
		grep -q CKR_PIN_LOCKED <<<"$out" && return 0
		grep -q CKR_PIN_INCORRECT <<<"$out" || { echo "$out"; return 1; }
	done
	return 1
}

# jacarta-pki speaks LASER; tumar-full is the Tumar applet's test token,
# for its EC keys (tests/data/tumar-full.profile).
for model in kaztoken etoken-pro-72k jacarta-pki akey kz-idcard tumar-full; do
	extra=()
	[ "$model" = kz-idcard ] && extra=(--user-pin "${PIN[$model]}")
	start_emu "$model" "$model" "${extra[@]}" || { not_ok "$model: card present"; continue; }
	pin=${PIN[$model]}
	info=$(p11 -L 2>&1)
	check "$model: -L shows the model" grep -q "token model *: ${NAME[$model]}" <<<"$info"
	if [ "$model" = kz-idcard ]; then
		check "$model: a PIN set at issue is not a factory PIN" \
			bash -c '! grep -q "user PIN to be changed" <<<"$1"' _ "$info"
	else
		check "$model: a fresh token shows 'user PIN to be changed'" \
			grep -q "user PIN to be changed" <<<"$info"
	fi
	check "$model: on-card RSA-2048 key pair" \
		p11 --login --pin "$pin" --keypairgen --key-type rsa:2048 --label RSA --id 01
	check "$model: SHA256-RSA-PKCS signature verifies (pkcs11-tool, openssl)" \
		sign_verify "$model" "$pin" 01 SHA256-RSA-PKCS
	if [ "$model" = tumar-full ]; then
		check "$model: on-card P-256 key pair" \
			p11 --login --pin "$pin" --keypairgen --key-type EC:prime256v1 --label EC --id 02
		check "$model: ECDSA-SHA256 signature verifies" sign_verify "$model" "$pin" 02 ECDSA-SHA256
	fi
	check "$model: pkcs11-tool --test" p11 --login --pin "$pin" --test
	check "$model: private key attributes are sensitive" \
		bash -c 'out=$("$@" 2>&1); grep -q "never extractable" <<<"$out"' _ \
		env $SAN_ENV pkcs11-tool --module "$MODULE" --login --pin "$pin" -O --type privkey
	check "$model: change the PIN" p11 --change-pin --pin "$pin" --new-pin "${NEW[$model]}"
	check "$model: no longer 'user PIN to be changed'" \
		bash -c '! "$@" -L 2>&1 | grep -q "user PIN to be changed"' _ \
		env $SAN_ENV pkcs11-tool --module "$MODULE"
	check "$model: wrong PIN until the PIN is locked" wrong_until_locked ${#pin}
	check "$model: -L shows the PIN locked" bash -c '"$@" -L 2>&1 | grep -q "user PIN locked"' _ \
		env $SAN_ENV pkcs11-tool --module "$MODULE"
	check "$model: --init-pin with the SO PIN" \
		p11 --login --login-type so --so-pin "${SO[$model]}" --init-pin --new-pin "$pin"
	if [ "$model" = etoken-pro-72k ]; then
		# Change at first logon: a PIN the SO set must be changed first.
		check "$model: a PIN set by the SO must be changed: signing says CKR_PIN_EXPIRED" \
			bash -c '"$@" 2>&1 | grep -q CKR_PIN_EXPIRED' _ \
			env $SAN_ENV pkcs11-tool --module "$MODULE" --login --pin "$pin" --sign --id 01 \
			-m SHA256-RSA-PKCS -i "$WORK/$model/msg" -o "$WORK/$model/sig2"
		check "$model: change it" p11 --change-pin --pin "$pin" --new-pin "${NEW[$model]}"
		pin=${NEW[$model]}
	fi
	check "$model: the new PIN logs in and signs" sign_verify "$model" "$pin" 01 SHA256-RSA-PKCS
	stop_emu
done
tap_done
