#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Resource limits, each bounded and answered: a card filled until 6A84
# with nothing half-made, the largest image a full card makes loading
# again, a 64 KiB chained command, a card answering 61xx without end, and
# through the module the most objects a token holds (the module's table
# or the card's memory, whichever ends first: CKR_DEVICE_MEMORY, nothing
# written that it does not show).  The most sessions are
# test_p11_conformance's (CKR_SESSION_COUNT); a GET RESPONSE loop with
# data is test_transceive's (the caller's buffer bounds it).
. "$(dirname "$0")/../integration/lib.sh"
private_pcscd_namespace "$@"
IMG=$WORK/full.img
LISTEN=$("$FREE_PORT")
CRASH_EMU=(--profile-file "$TM_SRCDIR/tests/data/tumar-full.profile" --card "$IMG")
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
SELECT=00A4040007F054554D41520100
VERIFY=002000810A$(hex 1234567890)
MEMORY=$(sed -n 's/^memory = //p' "$TM_SRCDIR/tests/data/tumar-full.profile")
# The status words after the ATR, SELECT and VERIFY lines.
sws() { sed -n '4,$s/.*\(....\)$/\1/p' "$WORK/session.out"; }

# --- A card filled to the last byte, over raw APDUs --------------------
# CREATE FILE of 4 KiB data objects until the card says 6A84; at most
# memory / 4 KiB + 1 tries, so the loop is bounded by the card's size.
tries=$((MEMORY / 4096 + 2))
{ echo $SELECT; echo $VERIFY
  for _ in $(seq 1 $tries); do echo 00E0000011620F80021000A509C10102C20102C4014400; done; } |
	PORT=$LISTEN run_session
made=$(sws | grep -c '^9000$')
full=$(sws | grep -c '^6A84$')
check "a full card answers 6A84 ($made objects of 4 KiB made, then $full refusals)" \
	test "$made" -gt 0 -a "$full" -gt 0 -a $((made + full)) = "$tries"
objects=$(field objects)
check "the card holds what it said it made, nothing half-made ($objects objects)" test "$objects" = "$made"
size=$(stat -c %s "$IMG")
echo "# a full $MEMORY-byte card's image is $size bytes"
check "the full card's image loads again" inspect
# (A card at the largest memory a profile may give, full, makes an image
# under the loader's cap: test_emu_image, in memory.)

# --- A 64 KiB chained command -------------------------------------------
# 257 pieces of 255 bytes of UPDATE BINARY: past the card's 4 KiB command
# the chain is dropped with 6700, each time; the card answers afterwards.
piece=$(printf '%0510d' 0)
{ echo $SELECT; echo $VERIFY
  for _ in $(seq 1 257); do echo "10D70001FF$piece"; done; echo 00D700010100; echo $SELECT; } |
	PORT=$LISTEN run_session
others=$(sws | sed '$d' | sed '$d' | grep -Evc '^(9000|6700)$')
long=$(sws | grep -c '^6700$')
check "a 64 KiB chain: every piece answered 9000 or 6700 ($long times 6700), none otherwise" \
	test "$others" = 0 -a "$long" -gt 0
check "... and the card answers SELECT after it" test "$(sws | tail -n1)" = 9000

# --- Through the module ---------------------------------------------------
module_stack
P11_CLIENT=$TM_BUILDDIR/tests/integration/p11-client
start_emu lim tumar-full || { not_ok "the test token is present"; tap_done; exit 1; }
# A card answering 61xx without data, for ever: the module gives up (a
# protocol error, not a hang) and the card works once the fault is gone.
"$EMU" ctl "$WORK/lim.ctl" fault sw '*' 6110 count=forever >/dev/null
check "a card answering 61xx for ever: the module answers an error (not a hang)" \
	bash -c '! timeout 120 env $0 pkcs11-tool --module "$1" --login --pin 1234567890 -O' "$SAN_ENV" "$MODULE"
"$EMU" ctl "$WORK/lim.ctl" fault clear >/dev/null
check "... and lists the token again once the card answers" p11 --login --pin 1234567890 -O
# Data objects until the token is full: the first failure must be
# CKR_DEVICE_MEMORY, and every object written must be one it shows.
printf 'x%.0s' $(seq 1 200) >"$WORK/obj"
written=0 rv=
for i in $(seq 1 400); do
	if ! out=$(p11 --login --pin 1234567890 --write-object "$WORK/obj" --type data \
		--label "o$i" 2>&1); then
		rv=$(grep -Eo 'CKR_[A-Z_]+' <<<"$out" | head -n1)
		break
	fi
	written=$((written + 1))
done
shown=$(p11 --login --pin 1234567890 -O 2>/dev/null | grep -c '^Data object')
echo "# $written data objects written, then ${rv:-no failure}; the token shows $shown"
check "the token full: CKR_DEVICE_MEMORY ($written objects written first)" test "$rv" = CKR_DEVICE_MEMORY
check "every object written is shown, no other ($shown)" test "$shown" = "$written"
check "the full token still logs in and lists" p11 --login --pin 1234567890 -O
# Another program puts more objects on the card than the module's table
# holds: the token stays usable, the rest left out (it once looked
# removed: CKR_DEVICE_REMOVED at login).
kill "$EMU_PID" && wait "$EMU_PID" 2>/dev/null
# (pcscd's "present" may still be the killed card's until it sees it go.)
wait_for 300 card_absent || not_ok "the reader is empty once the emulator stopped"
CRASH_EMU=(--profile-file "$TM_SRCDIR/tests/data/tumar-full.profile" --card "$WORK/lim.img")
{ echo $SELECT; echo $VERIFY
  for _ in 1 2 3; do echo 00E0000011620F80020010A509C10102C20102C4014400; done; } |
	PORT=$LISTEN run_session
check "another program made $(sws | grep -c '9000$') more objects (raw APDUs)" test "$(field objects)" -gt 128
start_emu lim tumar-full || not_ok "the test token is present again"
check "a card with more objects than the module holds still logs in and lists them" \
	bash -c 'out=$(env $0 pkcs11-tool --module "$1" --login --pin 1234567890 -O 2>&1); echo "$out" | tail -n 3
		test "$(grep -c "^Data object" <<<"$out")" = 128' "$SAN_ENV" "$MODULE"
tap_done
