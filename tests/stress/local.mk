# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/stress/: hardening at scale (docs/testing.md).  make check runs
# each script in its short form; make stress runs the long forms
# (TM_STRESS_LONG=1), whose figures docs/testing.md records.
stress_tests = \
	tests/stress/card_pulls.sh \
	tests/stress/crash_points.sh \
	tests/stress/limits.sh \
	tests/stress/threads.sh
TESTS += $(stress_tests)
EXTRA_DIST += $(stress_tests) tests/stress/fuzz_campaign.sh

# (tests/unit/test_p11_threads is the threads' in-process half, the one
# CI's ThreadSanitizer build runs.)
stress: all
	TM_STRESS_LONG=1 TM_THREAD_SIGNATURES=1000 $(MAKE) $(AM_MAKEFLAGS) check \
		TESTS="$(stress_tests) tests/unit/test_p11_threads"
.PHONY: stress

# The fuzzing campaign runs in a build configured CC=clang --enable-fuzzing
# (with --enable-asan --enable-ubsan): every target until a million
# executions or an hour, two side by side; FUZZ_CAMPAIGN_FLAGS=--update
# writes the grown corpora and any crash inputs into the source tree's
# tests/fuzz/corpus/ to commit.  CI runs a short one (scripts/run-tests.sh).
if FUZZING
fuzz-campaign: all
	TM_BUILDDIR=$(abs_top_builddir) TM_SRCDIR=$(abs_top_srcdir) \
	TM_FUZZ_SECONDS=$${TM_FUZZ_SECONDS:-3600} TM_FUZZ_RUNS=$${TM_FUZZ_RUNS:-1000000} \
	TM_FUZZ_MIN_RUNS=$${TM_FUZZ_MIN_RUNS:-1000000} TM_FUZZ_JOBS=$${TM_FUZZ_JOBS:-2} \
		bash $(abs_top_srcdir)/tests/stress/fuzz_campaign.sh $(FUZZ_CAMPAIGN_FLAGS)
else
fuzz-campaign:
	@echo "fuzz-campaign needs a fuzzing build: CC=clang ./configure --enable-fuzzing --enable-asan --enable-ubsan" >&2; exit 1
endif
.PHONY: fuzz-campaign
