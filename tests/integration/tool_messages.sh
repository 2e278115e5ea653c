#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tumar-tool says what happened, through the real stack: a card that
# fails half-way is called that, never "no key"; the last PIN try is
# announced before it is spent and the PIN that just blocked is called
# blocked; a blocked PIN is refused without a try; the prompt names the
# token; the factory SO PIN is warned about, and a login with the factory
# user PIN; a new PIN with a space or a
# Cyrillic letter is refused before anything is sent; list without
# pcscd exits 3.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
TOOL=$TM_BUILDDIR/tools/tumar-tool
CA=$TM_SRCDIR/scripts/tumar-test-ca.sh
export TUMAR_MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
unset TUMAR_PIN TUMAR_SO_PIN TUMAR_NEW_PIN
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
start_emu one kaztoken --serial KZ0001 || { not_ok "token present"; tap_done; exit 1; }
export -f run has lacks
export TOOL WORK EMU
tries() { "$TOOL" list --json | python3 -c 'import json,sys
print(json.load(sys.stdin)["slots"][0]["user_pin"]["tries_left"])'; }
export -f tries

check "list: the factory SO PIN is warned about, with the command that changes it" \
	bash -c 'run 0 "$TOOL" list && has "WARNING: the SO PIN was never changed" &&
		has "tumar-tool --serial KZ0001 change-pin --so" &&
		run 0 "$TOOL" list --json && has "\"so_pin_to_be_changed\":true"'
check "a new PIN with a space: refused by the NCA rule before anything is sent" \
	bash -c 'run 2 env TUMAR_PIN=12345678 TUMAR_NEW_PIN="Tumar 2026" "$TOOL" change-pin &&
		has "NCA rule: no spaces" && has "nothing was sent" && [ "$(tries)" = 10 ]'
check "a new PIN with a Cyrillic letter: refused before anything is sent" \
	bash -c 'run 2 env TUMAR_PIN=12345678 TUMAR_NEW_PIN="Tumar2026Ж" "$TOOL" change-pin &&
		has "printable ASCII only" && [ "$(tries)" = 10 ]'
check "a command logged in with the factory PIN warns, naming the command that changes it" \
	bash -c 'run 0 env TUMAR_PIN=12345678 "$TOOL" keys --login &&
		has "warning: this token is still on its factory PIN" &&
		has "tumar-tool --serial KZ0001 change-pin" && has "No keys on the token"'
env TUMAR_PIN=12345678 TUMAR_NEW_PIN=Tumar2026 "$TOOL" change-pin >/dev/null
check "after the change: no factory-PIN warning" \
	bash -c 'run 0 env TUMAR_PIN=Tumar2026 "$TOOL" keys --login && lacks "factory PIN"'
# At a terminal (script(1) gives one), the PIN typed once the prompt is
# there: the prompt flushes what was typed before it.
mkfifo "$WORK/tty.in"
script -qec "$TOOL keys --login" /dev/null <"$WORK/tty.in" >"$WORK/tty.out" 2>&1 &
SCRIPT_PID=$!
PIDS+=("$SCRIPT_PID")
exec 3>"$WORK/tty.in"
wait_for 100 grep -q "PIN for" "$WORK/tty.out" && echo Tumar2026 >&3
exec 3>&-
wait "$SCRIPT_PID"
check "the prompt names the token it asks for; the PIN typed there logs in" \
	bash -c 'out=$(cat "$WORK/tty.out") && has "PIN for Kaztoken, serial KZ0001: " && has "No keys on the token"'

export TUMAR_PIN=Tumar2026
"$TOOL" keygen --purpose sign --alg rsa2048 >/dev/null 2>&1
"$TOOL" csr --purpose sign --cn "IVANOV IVAN" --iin 900101300017 -o "$WORK/r.csr" >/dev/null
"$CA" init "$WORK/ca" >/dev/null 2>&1
"$CA" issue "$WORK/ca" "$WORK/r.csr" "$WORK/r.pem" --purpose sign >/dev/null 2>&1
"$TOOL" install-cert "$WORK/r.pem" >/dev/null
echo document >"$WORK/doc"
# The card answers 6F00 to the objects' reads (odd-INS READ BINARY): the
# tool says the token failed while it read them, not that there is no key.
check "a card that fails while its objects are read: said so, not 'no key'" \
	bash -c '"$EMU" ctl "$WORK/one.ctl" fault sw B1 6F00 1 >/dev/null && run 1 "$TOOL" sign -o "$WORK/doc.sig" "$WORK/doc" &&
		has "reading the token.s objects" && has CKR_DEVICE_ERROR && lacks "no .* key" &&
		"$EMU" ctl "$WORK/one.ctl" fault clear >/dev/null'
# The card loses power during the Nth APDU from now (an event, not a
# moment): whichever step that is, the tool says the token failed or
# went (or, when power went while the module first spoke to it, that no
# token is there), never that the key is missing.
tear_sign() {
	local n=$1
	"$EMU" ctl "$WORK/one.ctl" fault tear "$n" >/dev/null || return 1
	run_rc=0
	out=$("$TOOL" sign -o "$WORK/doc.sig" "$WORK/doc" 2>&1) || run_rc=$?
	"$EMU" ctl "$WORK/one.ctl" fault clear >/dev/null
	"$EMU" ctl "$WORK/one.ctl" insert >/dev/null 2>&1
	# The tear dropped the link: wait for the emulator to be back in the
	# reader first, or pcscd's "present" may be the one from before the
	# tear, not yet updated (seen once: the next sign found no token).
	wait_for 100 link_up && wait_for 100 card_present
}
link_up() { "$EMU" ctl "$WORK/one.ctl" status | grep -q "^ok inserted .*vpcd=connected"; }
honest=0 runs=0
for n in 1 2 3 4 5 6 7 8; do
	tear_sign "$n" || break
	runs=$((runs + 1))
	if [ "$run_rc" = 0 ] || grep -q "CKR_DEVICE_REMOVED\|CKR_DEVICE_ERROR\|CKR_TOKEN_NOT_PRESENT\|no token found" <<<"$out" &&
		! grep -q "no .* key with a valid certificate" <<<"$out"; then
		honest=$((honest + 1))
	else
		printf '# tear %s: %s\n' "$n" "$out"
	fi
done
check "a card that loses power at any of 8 points: the tool says so, never 'no key'" \
	test "$runs" = 8 -a "$honest" = 8
check "after the tears the token signs again" \
	bash -c 'run 0 "$TOOL" sign -o "$WORK/doc.sig" "$WORK/doc"'

# Ten tries: nine wrong ones, then the last is announced before it is spent.
for i in 1 2 3 4 5 6 7 8; do TUMAR_PIN=WrongPin1 "$TOOL" keys --login >/dev/null 2>&1; done
check "two tries left: the wrong PIN says so" \
	bash -c 'run 1 env TUMAR_PIN=WrongPin1 "$TOOL" keys --login && has "PIN is wrong \(1 of 10 tries left\)"'
check "one try left: announced before the PIN is sent" \
	bash -c 'run 0 "$TOOL" keys --login && has "warning: one PIN try is left" && [ "$(tries)" = 10 ]'
for i in 1 2 3 4 5 6 7 8 9; do TUMAR_PIN=WrongPin1 "$TOOL" keys --login >/dev/null 2>&1; done
check "the wrong PIN on the last try: the tool says the token has blocked it" \
	bash -c 'run 1 env TUMAR_PIN=WrongPin1 "$TOOL" keys --login && has "warning: one PIN try is left" &&
		has "that was the last try: the token has blocked it" && has "tumar-tool unblock"'
check "a blocked PIN: refused without sending a try, and says how to unblock" \
	bash -c 'run 1 "$TOOL" keys --login && has "PIN is blocked" && has "unblock it with the SO PIN" && [ "$(tries)" = 0 ]'
check "unblock with the factory SO PIN; the token works again" \
	bash -c 'run 0 env TUMAR_SO_PIN=87654321 TUMAR_NEW_PIN=Tumar2026 "$TOOL" unblock &&
		run 0 "$TOOL" sign -o "$WORK/doc.sig" "$WORK/doc"'

stop_emu
stop_pcscd
check "list without pcscd: exit 3 and a sentence saying what is missing" \
	bash -c 'run 3 "$TOOL" list && has "No readers"'
check "list --json without pcscd: one JSON object, the empty list with the error beside it" \
	bash -c 'out=$("$TOOL" list --json 2>/dev/null); [ $? = 3 ] &&
		python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d[\"slots\"] == [], d
assert d[\"exit_code\"] == 3 and \"No readers\" in d[\"error\"], d" "$out"'
tap_done
