#!/usr/bin/env bash
# Runs one libFuzzer target (fuzz/<TARGET>.cpp) under AddressSanitizer and UBSan, starting from its
# seed corpus (fuzz/corpus/<TARGET>/, never written to).
#   scripts/fuzz.sh TARGET SECONDS        fuzz for that long
#   scripts/fuzz.sh TARGET --runs N       fuzz for N inputs (the long runs in the README)
#   scripts/fuzz.sh --list                the targets
# The build is build-asan (clang, -Dfuzz=true), shared with the sanitizer run of the spec suite.
# A crash leaves its input in $FUZZ_ARTIFACTS (default /tmp/fuzz-artifacts) and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD:-build-asan}
targets=$(sed -n "/^fuzz_targets = \[/,/^\]/p" meson.build | grep -o "'[a-z0-9_]*'" | tr -d "'")
if [ "${1:-}" = "--list" ]; then echo "$targets"; exit 0; fi
target=${1:?target (see --list)}
echo "$targets" | grep -qx "$target" || { echo "unknown fuzz target $target" >&2; exit 2; }
shift
case "${1:-}" in
  --runs) limit=(-runs="${2:?count}") ;;
  ''|*[!0-9]*) echo "usage: scripts/fuzz.sh TARGET SECONDS | TARGET --runs N" >&2; exit 2 ;;
  *) limit=(-max_total_time="$1") ;;
esac
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$BUILD" --buildtype=debug -Dfuzz=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dcpp_args=-fno-sanitize=vptr -Dcpp_link_args=-fno-sanitize=vptr >/dev/null
fi
ninja -C "$BUILD" "fuzz_$target" >/dev/null
work=$(mktemp -d /tmp/fuzz-$target.XXXXXX)
trap 'rm -rf "$work"' EXIT
artifacts=${FUZZ_ARTIFACTS:-/tmp/fuzz-artifacts}
mkdir -p "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# New inputs go to $work; the seeds are read only. -rss_limit_mb catches unbounded memory use.
status=0
"$BUILD/fuzz_$target" "${limit[@]}" -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$artifacts/$target-" "$work" "fuzz/corpus/$target" >"$work.log" 2>&1 || status=$?
grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "$work.log" | tr '\n' ' ' || true
echo
if [ "$status" -ne 0 ]; then
  grep -A30 -E "^==[0-9]+==ERROR|runtime error|SUMMARY|deadly signal" "$work.log" | head -60
  echo "fuzz_$target failed (exit $status); the input is in $artifacts" >&2
fi
rm -f "$work.log"
exit "$status"
