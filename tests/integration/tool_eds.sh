#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-tool through the real stack (pcscd + vpcd + tumar-emu + the
# module) on a virtual Kaztoken: the whole EDS flow (and again on a
# JaCarta PKI over LASER), and every subcommand
# with bad input: wrong PINs, PINs against the rules, a certificate for
# another key, an ended certificate, a blocked PIN and its unblocking.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
TOOL=$TM_BUILDDIR/tools/tumar-tool
CA=$TM_SRCDIR/scripts/tumar-test-ca.sh
export TUMAR_MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
# pkcs11-tool is not built with the sanitizers that an ASan module needs.
P11TOOL="env $(sanitizer_env "$TUMAR_MODULE") pkcs11-tool"
IIN=900101300017
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
start_emu kaztoken kaztoken || { not_ok "card present"; tap_done; exit 1; }
unset TUMAR_PIN TUMAR_SO_PIN TUMAR_NEW_PIN

export -f run has lacks
export TOOL WORK CA P11TOOL

check "list: model, serial, 10 of 10 tries, factory-PIN warning" \
	bash -c 'run 0 "$TOOL" list && has "model +Kaztoken" && has "PIN +ok, 10 of 10 tries left" &&
		has "WARNING: this token still has its factory PIN" && has "change-pin"' 
check "list --json says the same" bash -c 'run 0 "$TOOL" list --json &&
	has "\"model\":\"Kaztoken\"" && has "\"pin_to_be_changed\":true" && has "\"tries_left\":10"'

check "change-pin: a PIN against the NCA rule is refused before anything is sent" \
	bash -c 'run 2 env TUMAR_PIN=12345678 TUMAR_NEW_PIN=12345679 "$TOOL" change-pin &&
		has "NCA rule: a PIN needs a Latin capital letter" && has "nothing was sent" &&
		run 0 "$TOOL" list && has "10 of 10 tries left"'
check "change-pin: too long for the token (16 at most) is refused first" \
	bash -c 'run 2 env TUMAR_PIN=12345678 TUMAR_NEW_PIN=Abcdefgh12345678x "$TOOL" change-pin &&
		has "this token takes 6 to 16"'
check "change-pin: a wrong current PIN is explained with the tries left" \
	bash -c 'run 1 env TUMAR_PIN=11111111 TUMAR_NEW_PIN=Tumar2026 "$TOOL" change-pin &&
		has "current PIN is wrong \(9 of 10 tries left\)"'
check "change-pin: to a PIN that meets the rules" \
	bash -c 'run 0 env TUMAR_PIN=12345678 TUMAR_NEW_PIN=Tumar2026 "$TOOL" change-pin && has "PIN is changed"'
check "list: no factory-PIN warning now, tries back to 10" \
	bash -c 'run 0 "$TOOL" list && lacks "WARNING: this token still has its factory PIN" &&
		has "WARNING: the SO PIN was never changed" && has "10 of 10 tries left"'
check "--pin-fd: PINs from a file descriptor" \
	bash -c 'run 0 "$TOOL" --pin-fd 3 change-pin 3< <(printf "Tumar2026\nTumar2027\n") &&
		run 0 env TUMAR_PIN=Tumar2027 TUMAR_NEW_PIN=Tumar2026 "$TOOL" change-pin'
check "--pin is refused: argv is public, nothing is sent" \
	bash -c 'run 2 "$TOOL" --pin Tumar2026 change-pin && has "can be read by other users" &&
		has "TUMAR_PIN" && run 2 "$TOOL" --json change-pin --pin Tumar2026 &&
		has "\"exit_code\":2" && run 0 "$TOOL" list && has "10 of 10 tries left"'
export TUMAR_PIN=Tumar2026

# The RSA flow here (a Kaztoken's default is GOST-512: tool_gost.sh).
check "keygen: RSA (signing) on the card" \
	bash -c 'run 0 "$TOOL" keygen --purpose sign --alg rsa2048 && has "Key pair RSA generated on the token"'
check "keygen: AUTH_RSA (authentication) on the card" \
	bash -c 'run 0 "$TOOL" keygen --purpose auth --alg rsa2048 --json && has "\"label\":\"AUTH_RSA\""'
check "keygen: without --purpose is a usage error" bash -c 'run 2 "$TOOL" keygen'
check "keygen: an algorithm the Kaztoken lacks is refused before anything is made" \
	bash -c 'run 2 "$TOOL" keygen --purpose sign --alg ec-p256 --label EC && has "does not make EC P-256 keys"'
check "keygen: an unknown --alg is a usage error" \
	bash -c 'run 2 "$TOOL" keygen --purpose sign --alg dsa1024'

check "csr: a bad IIN (check digit) is refused" \
	bash -c 'run 2 "$TOOL" csr --purpose sign --cn "IVANOV IVAN" --iin 900101300018 -o "$WORK/x.csr" &&
		has "valid check digit"'
for p in sign auth; do
	check "csr --purpose $p: signed by the card, verified by openssl" \
		bash -c 'run 0 "$TOOL" csr --purpose $0 --cn "IVANOV IVAN" --surname IVANOV --given-name IVAN \
			--iin $1 --email ivan@example.kz -o "$WORK/$0.csr" &&
			openssl req -in "$WORK/$0.csr" -noout -verify' "$p" "$IIN"
done
check "csr: the NCA subject (SERIALNUMBER=IIN..., C=KZ, surname, given name)" \
	bash -c 'out=$(openssl req -in "$WORK/sign.csr" -noout -subject -nameopt RFC2253) &&
		has "CN=IVANOV IVAN" && has "serialNumber=IIN900101300017" && has "C=KZ" &&
		has "SN=IVANOV" && has "GN=IVAN"'
check "csr: key usage by purpose" \
	bash -c 'out=$(openssl req -in "$WORK/sign.csr" -noout -text) &&
		has "Digital Signature, Non Repudiation" &&
		out=$(openssl req -in "$WORK/auth.csr" -noout -text) &&
		has "Digital Signature, Key Encipherment" && has "TLS Web Client Authentication"'

"$CA" init "$WORK/ca" >/dev/null 2>&1
check "the test CA issues both certificates" \
	bash -c '"$0" issue "$1/ca" "$1/sign.csr" "$1/sign.pem" --purpose sign &&
		"$0" issue "$1/ca" "$1/auth.csr" "$1/auth.pem" --purpose auth' "$CA" "$WORK"
openssl x509 -in "$WORK/sign.pem" -outform DER -out "$WORK/sign.der" 2>/dev/null
check "install-cert: PEM, next to the RSA key" \
	bash -c 'run 0 "$TOOL" install-cert "$WORK/sign.pem" && has "next to the RSA key"'
check "install-cert: DER, next to the AUTH_RSA key" \
	bash -c 'openssl x509 -in "$WORK/auth.pem" -outform DER -out "$WORK/auth.der" &&
		run 0 "$TOOL" install-cert "$WORK/auth.der" && has "next to the AUTH_RSA key"'
check "install-cert: the same certificate again is already there" \
	bash -c 'run 0 "$TOOL" install-cert "$WORK/sign.der" && has "already on the token"'
check "install-cert: a certificate for another key is refused" \
	bash -c 'run 2 "$TOOL" install-cert "$WORK/ca/ca.pem" && has "for another key"'
check "install-cert: not a certificate" \
	bash -c 'head -c 300 /dev/urandom >"$WORK/junk" && run 2 "$TOOL" install-cert "$WORK/junk" &&
		has "not an X.509 certificate"'
check "pkcs11-tool pairs each certificate with its key (same ID)" \
	bash -c 'out=$($P11TOOL --module "$TUMAR_MODULE" -O 2>&1) &&
		[ $(grep -c "label: *RSA$" <<<"$out") -ge 2 ]'

check "sign: a document signed on the token verifies with its certificate" \
	bash -c 'echo "an EDS document" >"$WORK/doc" &&
		run 0 "$TOOL" sign --cert-out "$WORK/signer.pem" -o "$WORK/doc.sig" "$WORK/doc" &&
		has "signed by IVANOV IVAN \(the RSA key\)" && cmp -s "$WORK/signer.pem" "$WORK/sign.pem" &&
		openssl x509 -in "$WORK/signer.pem" -pubkey -noout >"$WORK/signer.pub" &&
		openssl dgst -sha256 -verify "$WORK/signer.pub" -signature "$WORK/doc.sig" "$WORK/doc"'
check "sign: pkcs11-tool's signature with the same key verifies too" \
	bash -c '$P11TOOL --module "$TUMAR_MODULE" --login --pin "$TUMAR_PIN" --sign --label RSA \
			-m SHA256-RSA-PKCS -i "$WORK/doc" -o "$WORK/doc.sig2" >/dev/null 2>&1 &&
		openssl dgst -sha256 -verify "$WORK/signer.pub" -signature "$WORK/doc.sig2" "$WORK/doc"'
check "sign: a file that is not there" bash -c 'run 2 "$TOOL" sign -o "$WORK/x.sig" "$WORK/none"'

check "expiry: both certificates, 3 years left, exit 0" \
	bash -c 'run 0 "$TOOL" expiry && has "^RSA .*IVANOV IVAN" && has "^AUTH_RSA" && has "\((1094|1095) days left\)"'
check "expiry --days 2000: warns, exit 4" bash -c 'run 4 "$TOOL" expiry --days 2000 && has "renew"'
check "expiry --json" bash -c 'run 0 "$TOOL" expiry --json && has "\"state\":\"valid\""'
check "info: name, IIN, role and policy from the NCA OIDs" \
	bash -c 'run 0 "$TOOL" info "$WORK/sign.pem" && has "^Name +IVANOV IVAN" && has "^IIN +900101300017$" &&
		has "^Role +individual" && has "^Policy .*signing, individual" && has "^Days left"'
check "info --json" bash -c 'run 0 "$TOOL" info --json "$WORK/auth.der" && has "\"iin_valid\":true" &&
	has "\"policy\":\"NCA regulations, authentication, individual\""'
check "info: a missing file" bash -c 'run 2 "$TOOL" info "$WORK/none.pem"'

# Certificates near and past their end, from the same CA.
check "install-cert: an ended certificate is refused" \
	bash -c '"$0" issue "$1/ca" "$1/sign.csr" "$1/old.pem" --purpose sign \
			--start 20200101000000Z --end 20230101000000Z &&
		run 2 "$TOOL" install-cert --replace "$1/old.pem" && has "ended on 2023-01-01"' "$CA" "$WORK"
check "install-cert --replace; expiry warns at the NCA's 10-day reminder, exit 4" \
	bash -c '"$0" issue "$1/ca" "$1/sign.csr" "$1/soon.pem" --purpose sign --days 10 &&
		run 2 "$TOOL" install-cert "$1/soon.pem" && has "already has another certificate" &&
		run 0 "$TOOL" install-cert --replace "$1/soon.pem" &&
		run 4 "$TOOL" expiry && has "NCA.s 10-day reminder"' "$CA" "$WORK"
check "expiry: an ended certificate another program wrote: ENDED, exit 5" \
	bash -c 'openssl x509 -in "$WORK/old.pem" -outform DER -out "$WORK/old.der" &&
		$P11TOOL --module "$TUMAR_MODULE" --login --pin "$TUMAR_PIN" --write-object "$WORK/old.der" \
			--type cert --label OLD --id 0102 >/dev/null 2>&1 &&
		run 5 "$TOOL" expiry && has "^OLD .*ENDED" &&
		$P11TOOL --module "$TUMAR_MODULE" --login --pin "$TUMAR_PIN" --delete-object --type cert \
			--label OLD >/dev/null 2>&1 && run 4 "$TOOL" expiry'

check "reissue: new RSA and AUTH_RSA keys, requests with the same subject" \
	bash -c 'mkdir -p "$WORK/re" && run 0 "$TOOL" reissue --out-dir "$WORK/re" &&
		openssl req -in "$WORK/re/RSA.csr" -noout -verify &&
		out=$(openssl req -in "$WORK/re/AUTH_RSA.csr" -noout -subject -nameopt RFC2253) &&
		has "serialNumber=IIN900101300017"'
check "reissue: the new key is a different key" \
	bash -c '! cmp -s <(openssl req -in "$WORK/sign.csr" -noout -pubkey) <(openssl req -in "$WORK/re/RSA.csr" -noout -pubkey)'
check "csr: of two RSA keys, the one without a certificate is chosen" \
	bash -c 'run 0 "$TOOL" csr --purpose sign --cn "IVANOV IVAN" --iin 900101300017 -o "$WORK/again.csr" &&
		cmp -s <(openssl req -in "$WORK/again.csr" -noout -pubkey) <(openssl req -in "$WORK/re/RSA.csr" -noout -pubkey)'
check "reissue --install: the new certificates go next to the new keys" \
	bash -c '"$0" issue "$1/ca" "$1/re/RSA.csr" "$1/re/RSA.pem" --purpose sign &&
		"$0" issue "$1/ca" "$1/re/AUTH_RSA.csr" "$1/re/AUTH_RSA.pem" --purpose auth &&
		run 0 "$TOOL" reissue --install "$1/re/RSA.pem" --install "$1/re/AUTH_RSA.pem" &&
		run 4 "$TOOL" expiry && [ $(grep -c "days left" <<<"$out") -eq 4 ]' "$CA" "$WORK"

check "a wrong PIN is explained with the tries left" \
	bash -c 'run 1 env TUMAR_PIN=Wrong1234 "$TOOL" keygen --purpose sign && has "PIN is wrong \(9 of 10"'
block() { for _ in $(seq 1 12); do env TUMAR_PIN=Wrong1234 "$TOOL" keygen --purpose sign >/dev/null 2>&1; done; }
block
check "a blocked PIN says how to unblock it" \
	bash -c 'run 1 "$TOOL" keygen --purpose sign && has "blocked" && has "tumar-tool unblock" &&
		run 0 "$TOOL" list && has "PIN +blocked, 0 of 10"'
check "unblock: a new PIN against the rule costs no SO try" \
	bash -c 'run 2 env TUMAR_SO_PIN=87654321 TUMAR_NEW_PIN=abc "$TOOL" unblock &&
		run 0 "$TOOL" list && has "SO PIN +ok, 10 of 10"'
check "unblock: a wrong SO PIN is explained with its tries left" \
	bash -c 'run 1 env TUMAR_SO_PIN=11111111 TUMAR_NEW_PIN=Tumar2028 "$TOOL" unblock &&
		has "SO PIN is wrong \(9 of 10"'
check "unblock: with the SO PIN; the new PIN works" \
	bash -c 'run 0 env TUMAR_SO_PIN=87654321 TUMAR_NEW_PIN=Tumar2028 "$TOOL" unblock &&
		run 0 env TUMAR_PIN=Tumar2028 "$TOOL" keygen --purpose sign --label AFTER'

check "--token: a label that is not there, exit 3" bash -c 'run 3 "$TOOL" --token nosuch expiry'
check "--module: a module that does not load, exit 3" \
	bash -c 'run 3 "$TOOL" --module "$WORK/none.so" list && has "cannot load"'
check "an unknown command, exit 2" bash -c 'run 2 "$TOOL" frobnicate'
for c in list change-pin unblock keygen csr install-cert expiry reissue info; do
	check "$c --help" bash -c 'run 0 "$TOOL" "$0" --help && has "^Usage: tumar-tool $0" && has "Common options"' "$c"
done
check "--help lists the commands and the exit codes" \
	bash -c 'run 0 "$TOOL" --help && has "install-cert" && has "Exit status"'
stop_emu

# JaCarta PKI over LASER, the EDS flow again as an owner runs it: the
# factory PIN changed, RSA signing and authentication keys made on the
# card, requests, certificates installed beside their keys, a signature.
start_emu jacarta jacarta-pki || not_ok "jacarta-pki: card present"
check "jacarta-pki: list warns about the factory PIN" \
	bash -c 'run 0 "$TOOL" list && has "model +JaCarta PKI" && has "WARNING" &&
		has "PIN +ok, 10 of 10 tries left"'
check "jacarta-pki: change-pin (under LASER's secure messaging)" \
	bash -c 'run 0 env TUMAR_PIN=1234567890 TUMAR_NEW_PIN=Tumar2026 "$TOOL" change-pin &&
		run 0 "$TOOL" list && lacks WARNING'
export TUMAR_PIN=Tumar2026
check "jacarta-pki: RSA signing and authentication keys made on the card" \
	bash -c 'run 0 "$TOOL" keygen --purpose sign && has "Key pair RSA generated on the token" &&
		run 0 "$TOOL" keygen --purpose auth'
for p in sign auth; do
	check "jacarta-pki: csr --purpose $p, signed by the card, verified by openssl" \
		bash -c 'run 0 "$TOOL" csr --purpose $0 --cn "SEITKALI AIGERIM" --iin 850515400121 \
			--org "TOO Example" --bin 123456789013 -o "$WORK/jc-$0.csr" &&
			openssl req -in "$WORK/jc-$0.csr" -noout -verify &&
			"$CA" issue "$WORK/ca" "$WORK/jc-$0.csr" "$WORK/jc-$0.pem" --purpose $0 --role head' "$p"
done
check "jacarta-pki: install-cert puts each certificate beside its key" \
	bash -c 'run 0 "$TOOL" install-cert "$WORK/jc-sign.pem" && has "next to the RSA key" &&
		run 0 "$TOOL" install-cert "$WORK/jc-auth.pem" && has "next to the AUTH_RSA key"'
check "jacarta-pki: sign, and the signature verifies with the certificate" \
	bash -c 'run 0 "$TOOL" sign -o "$WORK/jc.sig" "$WORK/doc" &&
		has "signed by SEITKALI AIGERIM \(the RSA key\)" &&
		openssl x509 -in "$WORK/jc-sign.pem" -pubkey -noout >"$WORK/jc.pub" &&
		openssl dgst -sha256 -verify "$WORK/jc.pub" -signature "$WORK/jc.sig" "$WORK/doc"'
check "jacarta-pki: expiry reads both certificates from the card" \
	bash -c 'run 0 "$TOOL" expiry && has "^RSA .*SEITKALI AIGERIM" && has "^AUTH_RSA"'
check "jacarta-pki: info shows the organisation, BIN and role" \
	bash -c 'run 0 "$TOOL" info "$WORK/jc-sign.pem" && has "^BIN +123456789013$" &&
		has "^Role +organisation, first head" && has "^Key +RSA 2048"'
stop_emu

# EC P-256 keys: the Tumar applet's test token has them (no shipped
# model emulates EC; tests/data/tumar-full.profile).
start_emu full tumar-full || not_ok "tumar-full: card present"
export TUMAR_PIN=1234567890
check "tumar-full: an EC P-256 signing key, request and signature" \
	bash -c 'run 0 "$TOOL" keygen --purpose sign --alg ec-p256 &&
		run 0 "$TOOL" csr --purpose sign --cn "SEITKALI AIGERIM" --iin 850515400121 \
			--org "TOO Example" --bin 123456789013 -o "$WORK/ec.csr" &&
		openssl req -in "$WORK/ec.csr" -noout -verify &&
		out=$(openssl req -in "$WORK/ec.csr" -noout -subject -nameopt RFC2253) &&
		has "OU=BIN123456789013" && has "O=TOO Example" &&
		"$CA" issue "$WORK/ca" "$WORK/ec.csr" "$WORK/ec.pem" --purpose sign --role head &&
		run 0 "$TOOL" install-cert "$WORK/ec.pem" &&
		run 0 "$TOOL" sign -o "$WORK/ec.sig" "$WORK/doc" &&
		openssl x509 -in "$WORK/ec.pem" -pubkey -noout >"$WORK/ec.pub" &&
		openssl dgst -sha256 -verify "$WORK/ec.pub" -signature "$WORK/ec.sig" "$WORK/doc"'
check "tumar-full: an EC authentication request asks for keyAgreement, not keyEncipherment" \
	bash -c 'run 0 "$TOOL" keygen --purpose auth --alg ec-p256 &&
		run 0 "$TOOL" csr --purpose auth --cn "SEITKALI AIGERIM" --iin 850515400121 -o "$WORK/ec-auth.csr" &&
		out=$(openssl req -in "$WORK/ec-auth.csr" -noout -text) &&
		has "Digital Signature, Key Agreement" && lacks "Key Encipherment"'
check "tumar-full: info shows an EC key" \
	bash -c 'run 0 "$TOOL" info "$WORK/ec.pem" && has "^Key +EC 256"'
stop_emu

# The NCA's GOST certificate (KalkanCrypt's, tests/data/kz-gost): OpenSSL
# does not know its key OIDs; info names the key through gost-engine.
check "info reads an NCA GOST certificate: its key, owner and validity" \
	bash -c 'run 0 "$TOOL" info "$0/tests/data/kz-gost/test_gost512.cer.pem" &&
		has "^Key +GOST R 34.10-2015 512$" && has "^Name +TEST GOST512$" &&
		has "^Valid +2026-10-01"' "$TM_SRCDIR"

start_emu idcard kz-idcard --user-pin 135790 || not_ok "kz-idcard: card present"
check "kz-idcard: no factory-PIN warning (the PIN was set at issue)" \
	bash -c 'run 0 "$TOOL" list && lacks "factory PIN" && has "PIN +ok, 3 of 3 tries left"'
check "kz-idcard: letters are refused by the card's own rule, before anything is sent" \
	bash -c 'run 2 env TUMAR_PIN=135790 TUMAR_NEW_PIN=Tumar2026 "$TOOL" change-pin &&
		has "does not take a Latin capital letter" && lacks "NCA rule" &&
		run 0 "$TOOL" list && has "3 of 3 tries left"'
check "kz-idcard: a PIN of another length: 'exactly 6', before anything is sent" \
	bash -c 'run 2 env TUMAR_PIN=135790 TUMAR_NEW_PIN=1234 "$TOOL" change-pin &&
		has "this token takes exactly 6" && lacks "6 to 6" && run 0 "$TOOL" list && has "3 of 3 tries left"'
check "kz-idcard: a digits-only PIN is accepted (the NCA password rule is not for it)" \
	bash -c 'run 0 env TUMAR_PIN=135790 TUMAR_NEW_PIN=246802 "$TOOL" change-pin'
stop_emu

start_emu etoken etoken-pro-72k || not_ok "etoken-pro-72k: card present"
check "etoken-pro-72k: 15 tries, factory-PIN warning" \
	bash -c 'run 0 "$TOOL" list && has "15 of 15 tries left" && has "WARNING"'
check "etoken-pro-72k: a PIN the SO set must be changed first, and the tool says so" \
	bash -c 'run 0 env TUMAR_SO_PIN=1234567890 TUMAR_NEW_PIN=Tumar2026 "$TOOL" unblock &&
		run 1 env TUMAR_PIN=Tumar2026 "$TOOL" keygen --purpose sign && has "change-pin" &&
		run 0 env TUMAR_PIN=Tumar2026 TUMAR_NEW_PIN=Tumar2027 "$TOOL" change-pin &&
		run 0 env TUMAR_PIN=Tumar2027 "$TOOL" keygen --purpose sign'
stop_emu
tap_done
