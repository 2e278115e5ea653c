#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pcscd restarts under a running application: the module makes a new
# PC/SC context and finds the token again, with no new process.  Every
# wait is for an event (a file, the card in the reader), none for a time.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
command -v opensc-tool >/dev/null || skip_all "opensc-tool (opensc) is not installed"
module_stack
CLIENT=$TM_BUILDDIR/tests/integration/p11-client
start_emu restart kaztoken || { not_ok "token present"; tap_done; exit 1; }
p11 --change-pin --pin 12345678 --new-pin Tumar2026 >/dev/null 2>&1
check "an RSA key to sign with" p11 --login --pin Tumar2026 --keypairgen --key-type rsa:2048 --id 01

# p11-client carries its own sanitizer runtime (as in p11_stack.sh).
(exec env ASAN_OPTIONS=detect_leaks=0 "$CLIENT" "$MODULE" Tumar2026 outlive "$WORK/done" 0 \
	>"$WORK/outlive.out" 2>&1) &
OUTLIVE=$!
PIDS+=("$OUTLIVE")
wait_for 600 test -f "$WORK/done.ready" || not_ok "the application signs before the restart"
# pcscd goes and comes back on the same vpcd port; the emulator connects
# to the new one by itself.
stop_pcscd
start_pcscd "$PORT" || { not_ok "pcscd starts again"; tap_done; exit 1; }
wait_for 300 card_present || not_ok "the token is in the new pcscd's reader"
touch "$WORK/done"
if wait_for 600 bash -c '! kill -0 "$1" 2>/dev/null' _ "$OUTLIVE"; then
	out=$(cat "$WORK/outlive.out")
	echo "# $out"
	check "the application saw the restart (its signatures failed meanwhile)" \
		grep -Eq "before=[1-9][0-9]* errors=[1-9]" <<<"$out"
	check "the same process signs again once pcscd is back" grep -Eq "after=[1-9]" <<<"$out"
else
	not_ok "the same process signs again once pcscd is back (still waiting for the token)"
	kill "$OUTLIVE" 2>/dev/null
fi
tap_done
