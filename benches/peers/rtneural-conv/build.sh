#!/bin/sh
# Builds the RTNeural side twice (Eigen backend, RTNeural's vendored Eigen in modules/Eigen):
# $WORK/rtn_conv_native (-march=native, 32-byte alignment) and $WORK/rtn_conv_default
# (default x86-64 target, 16-byte alignment). RT = RTNeural's source tree (README.md).
set -e
here=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/peers}
RT=${RT:-$WORK/RTNeural}
CXX=${CXX:-g++}
mkdir -p "$WORK"
COMMON="-std=c++17 -O3 -DNDEBUG -DRTNEURAL_USE_EIGEN=1 -DEIGEN_STACK_ALLOCATION_LIMIT=0 -I$RT -I$RT/modules/Eigen -I$RT/modules/json"
$CXX $COMMON -march=native -DRTNEURAL_DEFAULT_ALIGNMENT=32 "$here/rtn_conv.cpp" -o "$WORK/rtn_conv_native"
$CXX $COMMON -DRTNEURAL_DEFAULT_ALIGNMENT=16 "$here/rtn_conv.cpp" -o "$WORK/rtn_conv_default"
