#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A fuzzing campaign over every libFuzzer target of a build configured
# with --enable-fuzzing (CC=clang; ASan and UBSan too, or a crash is only
# what the target itself checks).  Each target starts from its seeds in
# tests/fuzz/corpus/<target>/ and runs until it has made its executions
# or spent its time; what it found is merged into the seeds: the seeds
# stay as they are (hand-made ones document a case) and libFuzzer's merge
# adds only the inputs that reach something they do not, which is the
# minimising.  Every crash, leak, timeout or out-of-memory input fails
# the target's TAP line and is kept as a regression seed, so make check
# replays it from then on.
#
#   fuzz_campaign.sh [--update] [TARGET...]
#
# TM_BUILDDIR       the fuzzing build (make fuzz-campaign sets it)
# TM_SRCDIR         the source tree, whose corpora are read (and written)
# TM_FUZZ_SECONDS   a target's time (default 5; make fuzz-campaign: 3600)
# TM_FUZZ_RUNS      a target stops once it has run this many inputs
#                   (default: none; make fuzz-campaign: 1000000)
# TM_FUZZ_MIN_RUNS  fewer executions than this fail the target's line: the
#                   campaign did not reach the depth it was asked for
#                   (default 1: the target ran at all)
# TM_FUZZ_JOBS      targets run side by side (default 1)
# TM_FUZZ_KEEP      a directory for the grown corpora and crash inputs
#                   (default: a temporary one, removed at the end)
#
# --update writes the merged corpora and the crash inputs back into
# TM_SRCDIR/tests/fuzz/corpus/ (to commit them); without it the source
# tree is only read.  Figures: a "# target: N executions, ..." comment
# per target.
set -u
: "${TM_BUILDDIR:?the fuzzing build directory}"
: "${TM_SRCDIR:?the source tree}"
SECONDS_EACH=${TM_FUZZ_SECONDS:-5}
RUNS=${TM_FUZZ_RUNS:-}
MIN_RUNS=${TM_FUZZ_MIN_RUNS:-1}
JOBS=${TM_FUZZ_JOBS:-1}
UPDATE=0
[ "${1:-}" = --update ] && { UPDATE=1; shift; }
CORPORA=$TM_SRCDIR/tests/fuzz/corpus
FUZZ_BIN=$TM_BUILDDIR/tests/fuzz

if [ -n "${TM_FUZZ_KEEP:-}" ]; then
	OUT=$TM_FUZZ_KEEP
	mkdir -p "$OUT" || exit 1
else
	OUT=$(mktemp -d /tmp/tumar-fuzz.XXXXXX) || exit 1
	trap 'rm -rf "$OUT"' EXIT
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for d in "$CORPORA"/fuzz_*/; do targets+=("$(basename "$d")"); done
fi

# A libFuzzer program answers -help=1 with its flags; the replay build
# (make check's) would take "-help=1" for a seed file and fail on it.
is_libfuzzer() { "$1" -help=1 2>&1 | grep -q -- '-max_total_time'; }

# run_target NAME: fuzzes one target in $OUT/NAME/ and leaves its verdict
# there (result: "ok ..." or "not ok ..." and comment lines).
run_target() {
	local t=$1 bin=$FUZZ_BIN/$1 dir=$OUT/$1 execs rate cov feat before after crashes
	mkdir -p "$dir/grown" "$dir/merged" "$dir/crashes"
	if [ ! -x "$bin" ] || ! is_libfuzzer "$bin"; then
		echo "not ok - $t: no libFuzzer program at $bin (configure CC=clang --enable-fuzzing)" >"$dir/result"
		return
	fi
	cp "$CORPORA/$t"/* "$dir/grown/" 2>/dev/null
	cp "$CORPORA/$t"/* "$dir/merged/" 2>/dev/null
	before=$(ls "$dir/merged" | wc -l)
	# A hang is an input that takes a minute (-timeout): a bound no busy
	# machine reaches for one input, where each takes milliseconds.
	# Leaks are findings here (the unit tests check them too).
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:${ASAN_OPTIONS:-} \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$bin" -max_total_time="$SECONDS_EACH" ${RUNS:+-runs="$RUNS"} \
		-timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/" "$dir/grown" >"$dir/fuzz.log" 2>&1
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/fuzz.log" | tail -n1)
	# Merge what grew into the seeds: only inputs with new features join.
	"$bin" -merge=1 -timeout=60 -rss_limit_mb=2048 "$dir/merged" "$dir/grown" \
		>"$dir/merge.log" 2>&1 || echo "merge failed" >>"$dir/crashes/.merge"
	after=$(ls "$dir/merged" | wc -l)
	cov=$(grep -o 'cov: [0-9]*' "$dir/fuzz.log" | tail -n1 | cut -d' ' -f2)
	feat=$(grep -o 'ft: [0-9]*' "$dir/fuzz.log" | tail -n1 | cut -d' ' -f2)
	crashes=$(ls "$dir/crashes" | wc -l)
	{
		echo "# $t: ${execs:-0} executions (${rate:-0}/s), coverage ${cov:-?} edges, ${feat:-?} features, corpus $before -> $after inputs, $crashes crash inputs"
		if [ "$crashes" -gt 0 ] || [ -f "$dir/crashes/.merge" ]; then
			echo "not ok - $t: $(ls "$dir/crashes" | tr '\n' ' ')"
			grep -E 'ERROR|SUMMARY|runtime error|Assertion|Test unit written' "$dir/fuzz.log" "$dir/merge.log" |
				head -n 12 | sed 's/^/# /'
		elif [ "${execs:-0}" -lt "$MIN_RUNS" ]; then
			echo "not ok - $t: ${execs:-0} executions, fewer than the $MIN_RUNS asked for"
			tail -n 5 "$dir/fuzz.log" | sed 's/^/# /'
		else
			echo "ok - $t: ${execs:-0} executions, no crash"
		fi
	} >"$dir/result"
}

# Side by side when asked: each target is its own process tree, and
# waited for by PID.
pids=()
for t in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	run_target "$t" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

n=0 bad=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	res=$OUT/$t/result
	[ -f "$res" ] || { echo "not ok $n - $t: no result"; bad=$((bad + 1)); continue; }
	grep '^#' "$res"
	line=$(grep -v '^#' "$res" | head -n1)
	case $line in
	"not ok - "*) echo "not ok $n - ${line#not ok - }"; bad=$((bad + 1)) ;;
	*) echo "ok $n - ${line#ok - }" ;;
	esac
	if [ "$UPDATE" = 1 ]; then
		# The grown corpus, minimised by the merge, and every crash input
		# as a regression seed named for what it was.
		cp -n "$OUT/$t/merged"/* "$CORPORA/$t/" 2>/dev/null
		for c in "$OUT/$t/crashes"/*; do
			[ -f "$c" ] && cp "$c" "$CORPORA/$t/regress-$(basename "$c")"
		done
	fi
done
echo "1..$n"
[ "$bad" -eq 0 ]
