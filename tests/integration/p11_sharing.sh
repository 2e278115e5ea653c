#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The card shared with other software, as on a desktop where OpenSC is
# installed: OpenSC's tools and module probe the card between our
# operations, in other processes and in ours, and another application is
# selected; none of it may look like a removed card to tumar-pkcs11.so.
# ssh-agent keeps its key through another tool's probe.  And pcsc-lite's
# spy, preloaded to watch PC/SC, does not crash the module.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
CLIENT=$TM_BUILDDIR/tests/integration/p11-client
OPENSC_MODULE=$(ls /usr/lib/*/pkcs11/opensc-pkcs11.so 2>/dev/null | head -n1)
SPY=$(ls /usr/lib/*/libpcscspy.so.0 2>/dev/null | head -n1)
[ -f "$MODULE" ] || { not_ok "the module is built"; tap_done; exit 1; }
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
SAN_ENV=$(sanitizer_env "$MODULE")
p11() { env $SAN_ENV pkcs11-tool --module "$MODULE" "$@"; }
client() { "$CLIENT" "$MODULE" "$@"; }

start_emu first jacarta-pki --trace "$WORK/card.trace" ||
	{ not_ok "token present"; tap_done; exit 1; }
p11 --change-pin --pin 1234567890 --new-pin Tumar2026 >/dev/null 2>&1
check "an RSA-2048 key on the token" \
	p11 --login --pin Tumar2026 --keypairgen --key-type rsa:2048 --label RSA --id 01

# Another process runs OpenSC's tools (their probe: SELECTs of PIV,
# OpenPGP, ... answered 6A82, GET DATA DF30), a raw SELECT of another
# application's AID and our own module's token list, while this one signs:
# every signature succeeds and verifies.  The signer goes on until the
# other processes are done, so they do run in the middle of it.
others() {
	local k
	for k in 1 2 3; do
		opensc-tool -n || return 1
		pkcs15-tool -D
		opensc-tool -r 0 -s 00A4040009A0000003080000100000 | grep -q "SW1=0x6A, SW2=0x82" ||
			return 1
		p11 -L | grep -q "JaCarta PKI" || return 1
	done
}
client Tumar2026 until "$WORK/stop" 500 0 >"$WORK/until.out" 2>&1 &
SIGNER=$!
if wait_for 300 grep -q signing "$WORK/until.out"; then
	others >"$WORK/others.out" 2>&1
	others_rc=$?
else
	others_rc=1
fi
touch "$WORK/stop"
wait "$SIGNER"
signer_rc=$?
out=$(cat "$WORK/until.out")
echo "# $out" | tail -n 1
check "other processes probed the card meanwhile (OpenSC, a raw SELECT, our module)" test "$others_rc" = 0
check "500+ signatures while they did: every one succeeded and verified" \
	bash -c '[ "$1" = 0 ] && grep -Eq "^verified=([5-9][0-9]{2}|[0-9]{4,}) bad=0 error=0x0$" <<<"$2"' \
	_ "$signer_rc" "$out"
check "the card saw OpenSC's probe during the signatures (6A82 to a PIV SELECT)" \
	grep -q "00A4040009A0000003080000100000 6A82" "$WORK/card.trace"

# OpenSC's module in this very process, as with p11-kit-proxy: it is
# initialised and probes every card between our signatures.
probes() { grep -c "00A4040009A0000003080000100000 6A82" "$WORK/card.trace"; }
if [ -n "$OPENSC_MODULE" ]; then
	before=$(probes)
	# (p11-client carries its sanitizer runtime; OpenSC's leaks are not ours.)
	out=$(env ASAN_OPTIONS=detect_leaks=0 "$CLIENT" "$MODULE" Tumar2026 alongside \
		"$OPENSC_MODULE" 25 0 2>&1)
	echo "# $out" | tail -n 1
	check "opensc-pkcs11.so in the same process, calls alternating: 25 signatures verified" \
		grep -Eq "^rounds=25 other=25 other-tokens=[0-9]+ verified=25 bad=0 error=0x0$" <<<"$out"
	echo "# PIV SELECTs before: $before, after: $(probes)"
	check "OpenSC's module probed the card in every round" test "$(probes)" -ge $((before + 25))
else
	not_ok "opensc-pkcs11.so is installed"
fi

# Another application selected (the card manager): the card drops our
# login, the session stays, a new login signs.
mkfifo "$WORK/go"
client Tumar2026 reset 0 <"$WORK/go" >"$WORK/select.out" 2>&1 &
SELECTER=$!
exec 3>"$WORK/go"
wait_for 100 grep -q ready "$WORK/select.out"
apdu 00A4040008A00000015100000000 >"$WORK/cm.out"
echo go >&3
exec 3>&-
wait "$SELECTER"
out=$(cat "$WORK/select.out")
echo "# $out"
check "another application selected: the card manager answered" grep -q "SW1=0x90, SW2=0x00" "$WORK/cm.out"
check "then CKR_USER_NOT_LOGGED_IN (not CKR_DEVICE_REMOVED), the session kept, a new login signs" \
	grep -q "after-reset=0x101 relogin=0x0 sign=0x0" <<<"$out"

# ssh-agent holds the card's key (logged in once, in its PKCS#11 helper);
# opensc-tool -n between two signatures must not make it lose the key.
agent_sign() { # N: the agent signs the document, ssh-keygen verifies it
	SSH_AUTH_SOCK="$WORK/agent.sock" ssh-keygen -q -Y sign -f "$WORK/agent.pub" -n file \
		"$WORK/doc" && mv "$WORK/doc.sig" "$WORK/doc.sig.$1" &&
		ssh-keygen -q -Y verify -f "$WORK/allowed" -I tumar -n file -s "$WORK/doc.sig.$1" \
			<"$WORK/doc"
}
echo "document" >"$WORK/doc"
if [ -n "$SAN_ENV" ]; then
	# ssh-agent starts its PKCS#11 helper with an environment of its own:
	# no LD_PRELOAD, so an instrumented module cannot load there.
	for what in "ssh-add -s" "ssh-agent signs" "ssh-agent signs after opensc-tool -n"; do
		ok "# SKIP $what: ssh-pkcs11-helper cannot load a sanitizer build of the module"
	done
elif command -v ssh-agent >/dev/null; then
	env $SAN_ENV ssh-agent -D -a "$WORK/agent.sock" -P "$MODULE" >"$WORK/agent.log" 2>&1 &
	PIDS+=($!)
	wait_for 50 test -S "$WORK/agent.sock"
	printf '#!/bin/sh\necho Tumar2026\n' >"$WORK/askpass" && chmod +x "$WORK/askpass"
	check "ssh-add -s: the agent takes the card's key" \
		env SSH_AUTH_SOCK="$WORK/agent.sock" SSH_ASKPASS="$WORK/askpass" \
		SSH_ASKPASS_REQUIRE=force DISPLAY=:0 ssh-add -s "$MODULE" </dev/null
	SSH_AUTH_SOCK="$WORK/agent.sock" ssh-add -L >"$WORK/agent.pub" 2>/dev/null
	echo "tumar $(head -n1 "$WORK/agent.pub")" >"$WORK/allowed"
	check "ssh-agent signs with the card" agent_sign 1
	opensc-tool -n >/dev/null 2>&1
	check "after opensc-tool -n the agent still signs (key not lost, no ssh-add again)" agent_sign 2
else
	not_ok "ssh-agent is installed (openssh-client)"
fi

# pcsc-lite's spy (libpcscspy, preloaded by developers watching PC/SC)
# dereferences SCardTransmit's receive PCI: pkcs11-tool signs under it.
if [ -n "$SPY" ]; then
	# (In a sanitizer build its runtime stays first in LD_PRELOAD.)
	san_rt=$(sed -n 's/^LD_PRELOAD=\([^ ]*\).*/\1/p' <<<"$SAN_ENV")
	check "LD_PRELOAD=libpcscspy.so: pkcs11-tool --sign does not crash" \
		env $SAN_ENV LD_PRELOAD="${san_rt:+$san_rt }$SPY" pkcs11-tool --module "$MODULE" --login --pin Tumar2026 --sign -m SHA256-RSA-PKCS \
		--id 01 -i "$WORK/doc" -o "$WORK/doc.sig"
	check "the signature is there" test -s "$WORK/doc.sig"
else
	not_ok "libpcscspy.so is installed (libpcsclite-dev)"
fi
tap_done
