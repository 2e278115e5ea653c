#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-tool keys, delete and PKCS#11 URIs (RFC 7512) through the real
# stack, on two virtual Kaztokens of one model and label told apart by
# serial number or URI: URIs p11-kit formats, which GnuTLS's p11tool
# takes and whose token URIs ours takes; the choice a label leaves open
# listed; outputs checked before the token is touched, so a bad path
# leaves no key and spends no try; delete asks first.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
TOOL=$TM_BUILDDIR/tools/tumar-tool
CA=$TM_SRCDIR/scripts/tumar-test-ca.sh
export TUMAR_MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
SAN=$(sanitizer_env "$TUMAR_MODULE")
P11TOOL="env $SAN pkcs11-tool --module $TUMAR_MODULE"
GNUTLS_P11TOOL="env $SAN p11tool --provider $TUMAR_MODULE"
unset TUMAR_PIN TUMAR_SO_PIN TUMAR_NEW_PIN
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
start_emu one kaztoken --serial KZ0001 || { not_ok "first token present"; tap_done; exit 1; }
"$EMU" --model kaztoken --serial KZ0002 --card "$WORK/two.img" --vpcd "localhost:$((PORT + 1))" \
	>"$WORK/two.log" 2>&1 &
PIDS+=($!)
wait_for 100 bash -c 'opensc-tool -l 2>/dev/null | grep -Eq "^1 +Yes"' ||
	{ not_ok "second token present"; tap_done; exit 1; }
export -f run has lacks
export TOOL WORK CA P11TOOL GNUTLS_P11TOOL

# The token URIs as list --json gives them.
json_uri() { python3 -c 'import json,sys; d=json.load(sys.stdin)
print([s["uri"] for s in d["slots"] if s.get("serial")==sys.argv[1]][0])' "$1"; }
URI1=$("$TOOL" list --json | json_uri KZ0001)
URI2=$("$TOOL" list --json | json_uri KZ0002)
export URI1 URI2
check "list: each token's URI, with its serial (p11-kit's format)" \
	bash -c 'run 0 "$TOOL" list && has "URI +pkcs11:.*serial=KZ0001" && has "serial=KZ0002" &&
		[[ $URI1 == pkcs11:*model=Kaztoken* && $URI1 != "$URI2" ]]'
check "two tokens of one model: a command without a choice names the ways to choose" \
	bash -c 'run 2 "$TOOL" keys && has "2 tokens are present" && has "\-\-serial"'
check "--serial chooses one; list --serial shows only it" \
	bash -c 'run 0 "$TOOL" --serial KZ0002 list && has "serial +KZ0002" && lacks KZ0001'
check "--token URI chooses one" \
	bash -c 'run 0 "$TOOL" --token "$URI1" list && has "serial +KZ0001" && lacks KZ0002'
check "--slot is honoured by list" \
	bash -c 'run 0 "$TOOL" --slot 1 list && lacks "^Slot 0"'
check "a serial no token has: exit 3" \
	bash -c 'run 3 "$TOOL" --serial NOSUCH list && has "No token matches" &&
		run 3 "$TOOL" --serial NOSUCH keys && has "no token with serial number NOSUCH"'
check "--json: an error is a JSON object on stdout too, with the exit code and its meaning" \
	bash -c 'out=$("$TOOL" --serial NOSUCH keys --json 2>/dev/null); [ $? = 3 ] &&
		python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d[\"exit_code\"] == 3, d
assert \"no token with serial number NOSUCH\" in d[\"error\"], d
assert d[\"exit_meaning\"].startswith(\"no module, no reader or token\"), d" "$out"'
check "list --json of a serial no token has: one JSON object (no second one after it), exit 3" \
	bash -c 'out=$("$TOOL" --serial NOSUCH list --json 2>/dev/null); [ $? = 3 ] &&
		python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d[\"slots\"] == [], d
assert d[\"exit_code\"] == 3 and \"No token matches\" in d[\"error\"], d" "$out"'
check "a URI with an attribute RFC 7512 does not name is refused" \
	bash -c 'run 2 "$TOOL" --token "pkcs11:colour=red" list && has "attributes this tool does not know"'
check "not a URI at all" bash -c 'run 2 "$TOOL" --token "pkcs11:token=%zz" list && has "not a PKCS#11 URI"'
# GnuTLS lists the tokens through p11-kit's URI code: its URI chooses ours.
check "the token URI p11tool prints chooses the same token here" \
	bash -c 'u=$($GNUTLS_P11TOOL --list-token-urls | grep serial=KZ0002) && [ -n "$u" ] &&
		run 0 "$TOOL" --token "$u" list && has "serial +KZ0002" && lacks KZ0001'

T1=(--serial KZ0001)
export T1s="--serial KZ0001"
for s in KZ0001 KZ0002; do
	env TUMAR_PIN=12345678 TUMAR_NEW_PIN=Tumar2026 "$TOOL" --serial $s change-pin >/dev/null
done
export TUMAR_PIN=Tumar2026
tries() { "$TOOL" $T1s list --json | python3 -c 'import json,sys
print(json.load(sys.stdin)["slots"][0]["user_pin"]["tries_left"])'; }
count() { $P11TOOL --slot-index 0 --login --pin Tumar2026 -O 2>/dev/null |
	grep -c "^\(Private\|Public\) Key Object"; }
export -f tries count

check "keys: none yet" bash -c 'run 0 "$TOOL" $T1s keys --login && has "No keys on the token"'
check "keys without --login: a key whose private half is not yet seen is not called a lone public key" \
	bash -c 'run 0 "$TOOL" --serial KZ0002 keygen --purpose auth --alg rsa2048 && run 0 "$TOOL" --serial KZ0002 keys &&
		has "AUTH_RSA  rsa2048  key \(its private half is seen after --login\)" &&
		run 0 "$TOOL" --serial KZ0002 keys --login && has "AUTH_RSA  rsa2048  key pair" &&
		run 0 "$TOOL" --serial KZ0002 delete --yes --json --label AUTH_RSA &&
		has "^\\{\"deleted\":\"key\",\"id\":\"[0-9a-f]+\"\\}$"'
check "--json: a bad option value is a JSON error too, before --json or after it" \
	bash -c 'run 2 "$TOOL" --slot x --json list &&
		has "^\\{\"error\":\"--slot x: not a slot number\",\"exit_code\":2," &&
		run 2 "$TOOL" keys --json --pin-fd q && has "\"error\":\"--pin-fd q: not a file descriptor\""'
check "csr -o into a missing directory: refused before the PIN is asked (no try spent)" \
	bash -c 'run 2 env TUMAR_PIN=WrongPin1 "$TOOL" $T1s csr --purpose sign --cn "A B" \
		--iin 900101300017 -o "$WORK/missing/r.csr" && has "cannot write there" &&
		has "nothing was done on the token" && [ "$(tries)" = 10 ]'
"$TOOL" "${T1[@]}" keygen --purpose sign --alg rsa2048 >/dev/null 2>&1
"$TOOL" "${T1[@]}" keygen --purpose sign --alg rsa2048 >/dev/null 2>&1
check "keys: two RSA keys, each with ID, algorithm, no certificate, URI" \
	bash -c 'run 0 "$TOOL" $T1s keys --login && [ "$(grep -c "^RSA  rsa2048  key pair" <<<"$out")" = 2 ] &&
		[ "$(grep -Ec "cert +none" <<<"$out")" = 2 ] &&
		[ "$(grep -Ec "URI +pkcs11:.*serial=KZ0001.*id=%.*object=RSA" <<<"$out")" = 2 ]'
ids() { "$TOOL" $T1s keys --json | python3 -c 'import json,sys
for k in json.load(sys.stdin)["keys"]: print(k["id"], k["uri"])'; }
export -f ids
read -r ID1 KURI1 < <(ids | sed -n 1p)
read -r ID2 KURI2 < <(ids | sed -n 2p)
export ID1 ID2 KURI1 KURI2
check "csr: two keys labelled RSA: both listed with their --id" \
	bash -c 'run 2 "$TOOL" $T1s csr --purpose sign --alg rsa2048 --cn "A B" --iin 900101300017 \
		-o "$WORK/r.csr" && has "2 keys are labelled RSA" && has "\-\-id $ID1 +RSA +rsa2048 +no certificate" &&
		has "\-\-id $ID2" && [ ! -e "$WORK/r.csr" ]'
check "csr --id URI (as keys prints it): the request is for that key" \
	bash -c 'run 0 "$TOOL" csr --purpose sign --cn "IVANOV IVAN" --iin 900101300017 --id "$KURI2" \
		-o "$WORK/r.csr" && openssl req -in "$WORK/r.csr" -verify -noout &&
		a=$(openssl req -in "$WORK/r.csr" -pubkey -noout | openssl pkey -pubin -outform DER | sha1sum) &&
		b=$($P11TOOL --token-label Kaztoken --slot-index 0 --read-object --type pubkey --id $ID2 | sha1sum) &&
		[ "$a" = "$b" ]'
# The key URI's token part chose the token: no --serial was needed.
check "p11tool (GnuTLS) finds exactly that key by the URI keys printed" \
	bash -c 'out=$(GNUTLS_PIN=Tumar2026 $GNUTLS_P11TOOL --login --list-privkeys "$KURI2" 2>&1) &&
		[ "$(grep -c "URL: pkcs11:" <<<"$out")" = 1 ] && grep -qi "id=$(sed "s/../%&/g" <<<"$ID2");" <<<"$out"'

"$CA" init "$WORK/ca" >/dev/null 2>&1
"$CA" issue "$WORK/ca" "$WORK/r.csr" "$WORK/r.pem" --purpose sign >/dev/null 2>&1
"$TOOL" install-cert "$WORK/r.pem" --serial KZ0001 >/dev/null
check "keys: the certificate's name and end beside its key; --json dates in RFC 3339" \
	bash -c 'run 0 "$TOOL" $T1s keys && has "cert +IVANOV IVAN, ends 20[0-9-]+ " &&
		run 0 "$TOOL" $T1s keys --json &&
		has "\"not_after\":\"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\""'
# The hardware tester's view of the same card: tumar-emu --inspect reads
# the model from the image and lists what the token owner just did.
inspect_keys() {
	local out
	out=$("$EMU" --card "$WORK/one.img" --inspect) || return 1
	grep -q '^model=kaztoken serial=KZ0001 ' <<<"$out" &&
		grep -q '^pin user tries_left=10 of 10$' <<<"$out" &&
		[ "$(grep -c '^object [0-9A-F]\{4\} private-key id=[0-9A-F]* label="[^"]*" alg=rsa bits=2048 usage=sign' <<<"$out")" = 2 ] &&
		[ "$(grep -c '^object [0-9A-F]\{4\} certificate id=[0-9A-F]* label=.* size=[1-9][0-9]* written=' <<<"$out")" = 1 ] &&
		! grep -q 12345678 <<<"$out"
}
check "tumar-emu --inspect (no --model): the PINs, both keys and the certificate, no PIN value" inspect_keys
check "csr: the one RSA key without a certificate is taken when the other has one" \
	bash -c 'run 0 "$TOOL" $T1s csr --purpose sign --alg rsa2048 --cn "A B" --iin 900101300017 \
		-o "$WORK/r1.csr" && openssl req -in "$WORK/r1.csr" -noout'

check "delete without a terminal and without --yes: refused, nothing deleted" \
	bash -c 'run 2 "$TOOL" $T1s delete --id $ID1 </dev/null && has "give --yes" && [ "$(count)" = 4 ]'
check "delete --label that two keys have: both listed, nothing deleted" \
	bash -c 'run 2 "$TOOL" $T1s delete --label RSA --yes && has "2 keys match" && has "\-\-id $ID1" &&
		[ "$(count)" = 4 ]'
check "delete: an unknown ID" bash -c 'run 2 "$TOOL" $T1s delete --id 00ff --yes && has "no key with that ID"'
# At a terminal (script(1) gives one): "n" keeps it, "y" deletes.
check "delete at a terminal: the question names the key; n keeps it" \
	bash -c 'out=$(printf "n\n" | script -qec "$TOOL $T1s delete --id $ID1" /dev/null 2>&1); rc=$?
		[ $rc = 1 ] && has "Delete the rsa2048 key RSA \(ID $ID1\), which has no certificate" &&
		has "not confirmed" && [ "$(count)" = 4 ]'
check "delete at a terminal: y deletes the key pair" \
	bash -c 'printf "y\n" | script -qec "$TOOL $T1s delete --id $ID1" /dev/null >/dev/null 2>&1 &&
		[ "$(count)" = 2 ] && run 0 "$TOOL" $T1s keys && lacks "$ID1"'
check "delete --cert-only by URI: the certificate goes, the key stays" \
	bash -c 'run 0 "$TOOL" delete --cert-only --yes "$KURI2" && has "Deleted the certificate of IVANOV IVAN" &&
		[ "$(count)" = 2 ] && run 0 "$TOOL" $T1s keys && has "cert +none"'
check "the other token was not touched" \
	bash -c 'run 0 "$TOOL" --serial KZ0002 keys --login && has "No keys on the token"'

# reissue and sign check their outputs before the token too.
"$TOOL" install-cert "$WORK/r.pem" --serial KZ0001 >/dev/null
check "reissue --out-dir missing/: refused before a key is made" \
	bash -c 'run 2 "$TOOL" $T1s reissue --purpose sign --out-dir "$WORK/missing" &&
		has "cannot write there" && [ "$(count)" = 2 ]'
check "reissue --json into a missing directory: one JSON object, the failure in it" \
	bash -c 'out=$("$TOOL" $T1s reissue --json --purpose sign --out-dir "$WORK/missing" 2>/dev/null)
		[ $? = 2 ] && [ "$(count)" = 2 ] &&
		python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d[\"exit_code\"] == 2, d
assert \"cannot write there\" in d[\"error\"], d" "$out"'
check "reissue --out-dir: a new key and its request (written whole)" \
	bash -c 'mkdir -p "$WORK/re" && run 0 "$TOOL" $T1s reissue --purpose sign --out-dir "$WORK/re" &&
		openssl req -in "$WORK/re/RSA.csr" -verify -noout && [ "$(count)" = 4 ] &&
		! ls "$WORK/re" | grep -q XXXX'
echo data >"$WORK/doc.txt"
check "sign -o into a missing directory: refused before the PIN is asked" \
	bash -c 'run 2 env TUMAR_PIN=WrongPin1 "$TOOL" $T1s sign -o "$WORK/missing/s" "$WORK/doc.txt" &&
		has "cannot write there" && [ "$(tries)" = 10 ]'
# Every command that uses a token chooses it through --slot as list does:
# slot 9 has none, so each says so (exit 3) instead of "2 tokens are
# present" (exit 2), and slot 1 is the second token.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/p12.key" -out "$WORK/p12.pem" -days 30 \
	-subj "/CN=SLOT TEST" >/dev/null 2>&1
echo pass >"$WORK/p12.pw"
openssl pkcs12 -export -legacy -inkey "$WORK/p12.key" -in "$WORK/p12.pem" -passout file:"$WORK/p12.pw" \
	-out "$WORK/slot.p12" 2>/dev/null
slot_every_command() {
	local -a cmds=(
		"keys" "expiry" "delete --id 00ff --yes" "change-pin" "unblock"
		"keygen --purpose sign --alg rsa2048"
		"csr --purpose sign --cn X --iin 900101300017 -o $WORK/slot.csr"
		"install-cert $WORK/r.pem" "import --password-file $WORK/p12.pw $WORK/slot.p12"
		"reissue --purpose sign --out-dir $WORK/re" "sign -o $WORK/slot.sig $WORK/doc.txt")
	local c
	for c in "${cmds[@]}"; do
		# shellcheck disable=SC2086 # each entry is a command and its words
		run 3 "$TOOL" --slot 9 $c && has "no token in slot 9" || { echo "--slot 9 $c: $out"; return 1; }
	done
	run 0 "$TOOL" --slot 1 keys --login && has "No keys on the token" &&
		run 0 "$TOOL" --slot 0 keys && has "IVANOV IVAN"
}
check "--slot is honoured by every command that uses a token" slot_every_command
tap_done
