#!/usr/bin/env bash
# Refreshes the corpus that tests/hostile.rs replays in CI from a fuzzing run's corpus:
# minimizes fuzz/corpus/<target> with `cargo fuzz cmin`, then checks in some of its inputs up
# to a size budget, next to the saved findings (crash-*, hostile-*), which are kept.
#
#   cd fuzz && ./refresh-replay-corpus.sh keras_file 180000
set -euo pipefail
cd "$(dirname "$0")"
target=$1
budget=${2:-60000}
out=../tests/fixtures/fuzz-regressions/$target
[ -n "${SKIP_CMIN:-}" ] || nice -n 19 cargo +nightly fuzz cmin -O -a "$target" "corpus/$target" -- -rss_limit_mb=2048 -timeout=10
mkdir -p "$out"
find "$out" -maxdepth 1 -type f -name 'corpus-*' -delete
# Half the budget for the smallest inputs (many error paths, few bytes), half for inputs
# taken in the order of their hash names (a deterministic sample of the larger ones, which
# reach deeper).
total=0
while read -r size file; do
    [ $((total + size)) -gt $((budget / 2)) ] && break
    cp "corpus/$target/$file" "$out/corpus-$file"
    total=$((total + size))
done < <(find "corpus/$target" -maxdepth 1 -type f -printf '%s %f\n' | sort -n)
while read -r file size; do
    [ -e "$out/corpus-$file" ] && continue
    [ $((total + size)) -gt "$budget" ] && continue
    cp "corpus/$target/$file" "$out/corpus-$file"
    total=$((total + size))
done < <(find "corpus/$target" -maxdepth 1 -type f -printf '%f %s\n' | sort)
echo "$target: $(find "$out" -name 'corpus-*' | wc -l) inputs, $total bytes in $out"
