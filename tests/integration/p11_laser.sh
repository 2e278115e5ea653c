#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# JaCarta PKI over its own LASER protocol, through the real stack: the
# emulator's LASER applet (the jacarta-pki model)
# and the module's LASER card driver, driven by pkcs11-tool and checked
# by OpenSSL: token info and the factory-PIN flag, secure VERIFY, an
# on-card RSA-2048 key, signatures, decryption, PIN change and unblock
# under secure messaging.  Both traces must show LASER's commands and
# neither a trace nor a log any PIN.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
module_stack

export TUMAR_TRACE=$WORK/module.trace TUMAR_LOG=$WORK/module.log TUMAR_DEBUG=all
start_emu jl jacarta-pki --trace "$WORK/emu.trace" ||
	{ not_ok "the LASER card is present"; tap_done; exit 1; }

info=$(p11 -L 2>&1)
check "-L: a JaCarta PKI token through the LASER driver" grep -q "token model *: JaCarta PKI" <<<"$info"
check "-L: the factory PIN shows as 'user PIN to be changed'" grep -q "user PIN to be changed" <<<"$info"
wrong_pin() { p11 --login --pin 0000 -O 2>&1 | grep -q CKR_PIN_INCORRECT; }
openssl_verifies() {
	p11 --read-object --type pubkey --id 01 -o "$WORK/pub.der" &&
		openssl pkey -pubin -inform DER -in "$WORK/pub.der" -out "$WORK/pub.pem" &&
		openssl dgst -sha256 -verify "$WORK/pub.pem" -signature "$WORK/sig" "$WORK/msg"
}
decrypts() {
	openssl pkeyutl -encrypt -pubin -inkey "$WORK/pub.pem" -in "$WORK/plain" -out "$WORK/ct" &&
		p11 --login --pin 1234567890 --decrypt --id 01 -m RSA-PKCS -i "$WORK/ct" -o "$WORK/back" &&
		cmp "$WORK/plain" "$WORK/back"
}
new_pin_only() { p11 --login --pin Newpin42 -O >/dev/null && ! p11 --login --pin 1234567890 -O >/dev/null 2>&1; }
laser_commands() { grep -q " 80CB0114" "$1" && grep -q " 80A4080C" "$1" && grep -q " 002A9E8A" "$1"; }
redacted() { grep -q " 80200000\*16 " "$1" && grep -q " 8C240000\*" "$1"; }

check "login with a wrong PIN is refused" wrong_pin
check "on-card RSA-2048 key pair" p11 --login --pin 1234567890 --keypairgen --key-type rsa:2048 \
	--label laser --id 01
echo "document over LASER" >"$WORK/msg"
check "SHA256-RSA-PKCS signature" p11 --login --pin 1234567890 --sign --id 01 -m SHA256-RSA-PKCS \
	-i "$WORK/msg" -o "$WORK/sig"
check "OpenSSL verifies it with the token's public key" openssl_verifies
printf 'a session key' >"$WORK/plain"
check "RSA-PKCS decryption on the card of what OpenSSL encrypted" decrypts
check "PIN change (under secure messaging)" p11 --login --pin 1234567890 --change-pin \
	--new-pin Newpin42
check "the new PIN logs in, the old does not" new_pin_only
locked=no
for i in $(seq 1 12); do
	out=$(p11 --login --pin 99999999 -O 2>&1)
	grep -q CKR_PIN_LOCKED <<<"$out" && { locked=yes; break; }
done
check "wrong tries block the PIN" test "$locked" = yes
check "the SO unblocks it with a new PIN (C_InitPIN)" p11 --login --login-type so --so-pin 00000000 \
	--init-pin --new-pin Unblock42
check "the new PIN logs in and signs" p11 --login --pin Unblock42 --sign --id 01 -m SHA256-RSA-PKCS \
	-i "$WORK/msg" -o "$WORK/sig2"

stop_emu
check "the module's trace has LASER's commands (GET CAPABILITY, SELECT by path, PSO 9E8A)" \
	laser_commands "$WORK/module.trace"
check "secure VERIFY and the wrapped PIN change are redacted in the card's trace" \
	redacted "$WORK/emu.trace"
pins=(1234567890 Newpin42 Unblock42 00000000 99999999)
leaks=()
for p in "${pins[@]}"; do
	hex=$(printf '%s' "$p" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
	# Traces are hex: a PIN there would be its bytes.  Logs are text.
	for f in "$WORK"/module.trace "$WORK"/emu.trace; do
		grep -qiF -- "$hex" "$f" && leaks+=("$p in ${f##*/}")
	done
	for f in "$WORK"/module.log "$WORK"/jl.log; do
		[ -f "$f" ] || continue
		if grep -qF -- "$p" "$f" || grep -qiF -- "$hex" "$f"; then leaks+=("$p in ${f##*/}"); fi
	done
done
check "no PIN in any trace or log (text or hex)" test "${#leaks[@]}" = 0
[ "${#leaks[@]}" = 0 ] || printf '# %s\n' "${leaks[@]}"
# tumar-trace names LASER's own commands.
"$TM_BUILDDIR/tools/tumar-trace" decode "$WORK/module.trace" >"$WORK/decoded.txt" 2>&1
check "tumar-trace names LASER's commands (capability, secure VERIFY, SM, PIN change)" \
	bash -c 'for n in "GET CAPABILITY (LASER)" "VERIFY, secure (LASER)" "SECURE MESSAGING KEY (LASER)" \
		"UPDATE KO / CHANGE PIN (LASER)" "LIST FILES (LASER)"; do
		grep -qF "$n" "$1" || { echo "# no $n"; exit 1; }; done' _ "$WORK/decoded.txt"
check "tumar-trace: LASER's key generation (00 47) named, its FCPs in ISO 7816-4's names" \
	bash -c 'grep -q "> 00 47 00 00  GENERATE ASYMMETRIC KEY PAIR" "$1" &&
		grep -q "83 (file identifier): [0-9A-F]\{4\}$" "$1" && grep -q "8A (life cycle status): 05" "$1" &&
		! grep -q "(key reference)" "$1"' _ "$WORK/decoded.txt"
tap_done
