#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# No PIN and no private-key byte in any artefact: a whole flow on a JaCarta
# (PIN change, login, key generation, signature, key import, a private
# data object written and read, the user PIN set again by the SO) with
# every trace and log on; then every file written is searched for each PIN,
# in ASCII and in hex, and for the imported key's private exponent.
# pcscd's own APDU log (-a) is its own: docs/testing.md warns about it.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
PCSCD_ARGS=-a
module_stack
start_emu sec jacarta-pki --verbose --trace "$WORK/emu.trace" || { not_ok "JaCarta present"; tap_done; exit 1; }
export TUMAR_TRACE=$WORK/driver.trace TUMAR_LOG=$WORK/driver.log TUMAR_DEBUG=all
NEW=Qx7Lw9Pm
RESET=Rz4Kd8Tn

check "the user PIN changed" p11 --change-pin --pin 1234567890 --new-pin $NEW
check "a key made on the card" p11 --login --pin $NEW --keypairgen --key-type rsa:2048 --id 01
echo "document" >"$WORK/msg"
check "a signature" p11 --login --pin $NEW --sign --id 01 -m SHA256-RSA-PKCS -i "$WORK/msg" -o "$WORK/sig"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -outform DER -out "$WORK/key.der" 2>/dev/null
check "a key imported" p11 --login --pin $NEW --write-object "$WORK/key.der" --type privkey --id 02
printf 'PRIVATE-DATA-7f3a' >"$WORK/data.bin"
check "a private data object written" p11 --login --pin $NEW --write-object "$WORK/data.bin" \
	--type data --label private --private
check "... and read back" p11 --login --pin $NEW --read-object --type data --label private \
	-o "$WORK/data.out"
check "the SO sets a new user PIN" p11 --login --login-type so --so-pin 00000000 --init-pin \
	--new-pin $RESET
check "which logs in" p11 --login --pin $RESET -O
unset TUMAR_TRACE TUMAR_LOG TUMAR_DEBUG

# What to look for: each PIN as text and as hex (both cases), the private
# exponent's first 16 bytes of the imported key, the private value.
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
D=$(openssl rsa -inform DER -in "$WORK/key.der" -noout -text 2>/dev/null |
	sed -n '/^privateExponent:/,/^prime1:/p' | sed '1d;$d' | tr -d ' :\n' | sed 's/^00//' | cut -c1-32)
needles=()
for pin in 1234567890 $NEW $RESET; do
	needles+=("$pin" "$(hex "$pin")")
done
needles+=("$(hex 00000000)" "$D" "PRIVATE-DATA-7f3a" "$(hex PRIVATE-DATA-7f3a)")
[ ${#D} -eq 32 ] || not_ok "the imported key's private exponent was read (${#D} hex digits)"
leaks() { # file...
	local f n
	for f in "$@"; do
		[ -s "$f" ] || { echo "$f: missing or empty"; return 1; }
		for n in "${needles[@]}"; do
			if grep -qiF -- "$n" "$f"; then
				echo "$f holds $n"
				return 1
			fi
		done
	done
}
for f in driver.trace driver.log emu.trace sec.log; do
	check "$f: no PIN, no private byte" leaks "$WORK/$f"
done
# The card image is the token's memory: it keeps the keys (0600), but
# no PIN (salted PBKDF2) and no value in the clear but the objects'.
check "the card image: no PIN" bash -c 'for n in 1234567890 '"$NEW $RESET"'; do
	grep -qaF "$n" "$1" && exit 1; done; exit 0' _ "$WORK/sec.img"
check "every trace and log is 0600" bash -c '
	for f in "$@"; do [ "$(stat -c %a "$f")" = 600 ] || { echo "$f"; exit 1; }; done' _ \
	"$WORK/driver.trace" "$WORK/driver.log" "$WORK/emu.trace" "$WORK/sec.img"
# (sec.log is the emulator's stderr, made by this script's shell.)
# Whoever can reach the control socket can pull the card and arm faults.
check "the control socket is 0600 and a socket" bash -c \
	'test -S "$1" && test "$(stat -c %a "$1")" = 600' _ "$WORK/sec.ctl"
if grep -qiF "$(hex $NEW | sed 's/../& /g; s/ $//')" "$WORK/pcscd.log"; then
	echo "# pcscd -a logs APDUs in the clear, PINs included (its own logging; docs/testing.md)"
fi
tap_done
