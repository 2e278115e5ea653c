#!/usr/bin/env bash
# The main job: build Tumar, start a virtual Kaztoken (private pcscd + vpcd
# + tumar-emu) and walk the EDS flow on it with tumar-tool.
#
# Today tumar-emu, tumar-pkcs11.so and tumar-trace exist; tumar-tool, which
# walks the EDS flow, comes with issue 5.  This script builds what exists
# and says plainly what is not built yet.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out=${TM_BUILD_DIR:-$src/build}/quickstart
jobs=$(nproc 2>/dev/null || echo 2)

(cd "$src" && NOCONFIGURE=1 ./autogen.sh >/dev/null)
mkdir -p "$out"
(cd "$out" && "$src/configure" --enable-strict >/dev/null)
make -C "$out" -j"$jobs" >/dev/null
echo "quickstart: built in $out:"
[ -x "$out/emulator/tumar-emu" ] && echo "  - tumar-emu (the virtual token)"
[ -f "$out/driver/.libs/tumar-pkcs11.so" ] && echo "  - tumar-pkcs11.so (the PKCS#11 module)"
[ -x "$out/tools/tumar-trace" ] && echo "  - tumar-trace (APDU traces)"

missing=()
[ -x "$out/emulator/tumar-emu" ] || missing+=("tumar-emu (the virtual token)")
[ -f "$out/driver/.libs/tumar-pkcs11.so" ] || missing+=("tumar-pkcs11.so (the PKCS#11 module)")
[ -x "$out/tools/tumar-tool" ] || missing+=("tumar-tool (the token owner's tool)")
if [ ${#missing[@]} -gt 0 ]; then
	echo "quickstart: not yet built, so the EDS flow cannot run:"
	printf '  - %s\n' "${missing[@]}"
	exit 0
fi
