#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds Tumar from this tree out of tree and runs the test suite in each
# build: strict (-Werror), AddressSanitizer + UndefinedBehaviorSanitizer,
# and ThreadSanitizer for the module's threaded unit tests (the other
# tests load the module into programs TSan cannot join).  Then a short
# fuzzing campaign in a libFuzzer build, make distcheck, and the Debian
# packages built and installed.  Each step prints the seconds it took.  Ends with the
# line "N passed, N failed" over the test runs; exits non-zero on any
# failure.
set -uo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out=${TM_BUILD_DIR:-$src/build}
jobs=$(nproc 2>/dev/null || echo 2)
passed=0 failed=0 skipped=0

count() { # test-suite.log of one build
	local log=$1 n
	for key in PASS XFAIL; do
		n=$(sed -n "s/^# $key: *//p" "$log" | head -n1); passed=$((passed + ${n:-0}))
	done
	for key in FAIL ERROR XPASS; do
		n=$(sed -n "s/^# $key: *//p" "$log" | head -n1); failed=$((failed + ${n:-0}))
	done
	n=$(sed -n "s/^# SKIP: *//p" "$log" | head -n1); skipped=$((skipped + ${n:-0}))
}

build() { # name, configure flags...: configures and compiles $out/name
	local name=$1; shift
	local dir=$out/$name
	echo "=== $name build: configure $*"
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	if ! (cd "$dir" && "$src/configure" "$@" >configure.out 2>&1); then
		tail -n 20 "$dir/configure.out"
		echo "=== $name build: configure failed"; failed=$((failed + 1)); return 1
	fi
	if ! make -C "$dir" -j"$jobs" >"$dir/make.out" 2>&1; then
		grep -E "error|warning" "$dir/make.out" | head -n 40
		echo "=== $name build: compilation failed"; failed=$((failed + 1)); return 1
	fi
}

count_tap() { # TAP output
	local n
	n=$(grep -c '^ok ' "$1"); passed=$((passed + n))
	n=$(grep -c '^not ok ' "$1"); failed=$((failed + n))
	grep -q '^1\.\.0 # SKIP' "$1" && skipped=$((skipped + 1))
	return 0
}

build_and_check() { # name, configure flags...  ($only: the tests to run)
	local name=$1 dir=$out/$1 t0=$SECONDS
	build "$@" || return 1
	make -C "$dir" -j"$jobs" check ${only:+TESTS="$only"}
	if [ -f "$dir/test-suite.log" ]; then
		count "$dir/test-suite.log"
		# Show what failed, not just that something did.
		sed -n '/^FAIL\|^ERROR\|^XPASS/,/^$/p' "$dir/test-suite.log" | head -n 80
	else
		echo "=== $name build: no test-suite.log"; failed=$((failed + 1))
	fi
	echo "=== $name build: $((SECONDS - t0)) s"
}

(cd "$src" && NOCONFIGURE=1 ./autogen.sh >/dev/null) || { echo "autogen.sh failed"; echo "0 passed, 1 failed"; exit 1; }

build_and_check strict --enable-strict
# clang when there is one: its UBSan also checks pointer arithmetic, which
# caught a bug gcc's let through.
san_cc=gcc
command -v clang >/dev/null && san_cc=clang
build_and_check sanitize CC=$san_cc --enable-strict --enable-asan --enable-ubsan
only="tests/unit/test_p11 tests/unit/test_p11_threads" build_and_check thread CC=$san_cc --enable-strict --enable-tsan

# A short fuzzing campaign (tests/stress/fuzz_campaign.sh): every target
# a few seconds from its seeds under libFuzzer, ASan and UBSan; crashes
# fail, and the corpora grown are thrown away (make fuzz-campaign grows
# them for good).
if [ "${TM_SKIP_FUZZ:-0}" != 1 ] && [ "$san_cc" = clang ]; then
	t0=$SECONDS
	if build fuzz CC=clang --enable-strict --enable-fuzzing --enable-asan --enable-ubsan; then
		echo "=== fuzzing campaign, short"
		TM_BUILDDIR=$out/fuzz TM_SRCDIR=$src TM_FUZZ_SECONDS=${TM_FUZZ_SECONDS:-4} \
			TM_FUZZ_JOBS=$jobs bash "$src/tests/stress/fuzz_campaign.sh" | tee "$out/fuzz.tap"
		count_tap "$out/fuzz.tap"
	fi
	echo "=== fuzzing campaign: $((SECONDS - t0)) s"
elif [ "${TM_SKIP_FUZZ:-0}" != 1 ]; then
	echo "=== fuzzing campaign skipped: no clang"; skipped=$((skipped + 1))
fi

if [ "${TM_SKIP_DISTCHECK:-0}" != 1 ] && [ -d "$out/strict" ]; then
	echo "=== make distcheck"
	t0=$SECONDS
	if make -C "$out/strict" -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-strict >"$out/distcheck.out" 2>&1; then
		echo "=== make distcheck passed"
	else
		tail -n 40 "$out/distcheck.out"
		echo "=== make distcheck failed"; failed=$((failed + 1))
	fi
	echo "=== make distcheck: $((SECONDS - t0)) s"
fi

# The Debian packages, built from the tarball distcheck made and
# installed (tests/package/debs.sh: as root, and only where no Tumar
# package is installed already).
tarball=$(ls "$out"/strict/tumar-*.tar.gz 2>/dev/null | head -n1)
if [ "${TM_SKIP_PACKAGES:-0}" != 1 ] && [ -n "$tarball" ]; then
	echo "=== Debian packages"
	bash "$src/tests/package/debs.sh" "$tarball" | tee "$out/debs.tap"
	count_tap "$out/debs.tap"
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
