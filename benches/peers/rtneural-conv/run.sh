#!/bin/bash
# Interleaved timing: per pass, RTNeural and tinyrnn back to back on the same core (taskset),
# native then default target; the order inside each target pair alternates between passes
# (ABBA) so that drift during a pass favours neither side. Each pass's load average goes to
# log.txt beside the CPU model.
#   Usage: run.sh [PASSES=6] [OUTDIR=$WORK/conv-runs]   (env: STEPS, REPS, CPU, WORK, TRN_NATIVE, TRN_DEFAULT)
set -u
WORK=${WORK:-/tmp/peers}
P=${1:-6}; OUT=${2:-$WORK/conv-runs}; mkdir -p "$OUT"
STEPS=${STEPS:-200000}; REPS=${REPS:-3}
CPU=${CPU:-1}
R="taskset -c $CPU nice -n -10"
here=$(cd "$(dirname "$0")" && pwd)
RTN_N=$WORK/rtn_conv_native; RTN_D=$WORK/rtn_conv_default
TRN_N=${TRN_NATIVE:-$WORK/target-native/release/conv_peer}
TRN_D=${TRN_DEFAULT:-$here/../../target/release/conv_peer}
for b in "$RTN_N" "$RTN_D" "$TRN_N" "$TRN_D"; do [ -x "$b" ] || { echo "missing $b (see README.md)"; exit 1; }; done
{
  echo "start $(date -Is) cpu '$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')' family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ') model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' ') nproc $(nproc) pinned to $CPU"
  echo "steps $STEPS reps $REPS load $(cut -d' ' -f1-3 /proc/loadavg)"
} >> "$OUT/log.txt"
for p in $(seq 1 "$P"); do
  for t in native default; do
    if [ $t = native ]; then A=$RTN_N; B=$TRN_N; else A=$RTN_D; B=$TRN_D; fi
    if [ $((p % 2)) = 1 ]; then
      $R "$A" --fcn "$STEPS" "$REPS" > "$OUT/p${p}_rtn_$t.txt"
      $R "$B" --fcn "$STEPS" "$REPS" > "$OUT/p${p}_trn_$t.txt"
    else
      $R "$B" --fcn "$STEPS" "$REPS" > "$OUT/p${p}_trn_$t.txt"
      $R "$A" --fcn "$STEPS" "$REPS" > "$OUT/p${p}_rtn_$t.txt"
    fi
    echo "pass $p $t done $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/log.txt"
  done
done
echo finished >> "$OUT/log.txt"
