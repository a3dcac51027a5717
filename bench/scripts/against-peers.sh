#!/usr/bin/env bash
# Every speed comparison against the PyTorch/OpenBLAS peers, ours and the peer back to back per workload and thread
# count, on a machine with nothing else running. Usage: bench/scripts/against-peers.sh [WORKLOAD...] > log, where
# WORKLOAD is gemmcpu, gemm, mlp, tdmpc2, d1m, d12m or plan (default: all, about 25 minutes).
# Build first: dotnet build bench/Reverie.Bench -c Release. docs/performance.md ("Against the peers") holds runs.
# The peers go through bench/peer.sh, which names OpenBLAS's AVX-512 kernels (PEER_CORETYPE, default SkylakeX)
# instead of trusting its CPU detection (Prescott on Emerald Rapids); the in-process OpenBLAS of gemmcpu gets the same.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
B="dotnet $root/bench/Reverie.Bench/bin/Release/net10.0/Reverie.Bench.dll"
P="$root/bench/peer.sh"
log() { echo "## $(date +%T) load=$(cut -d' ' -f1 /proc/loadavg) $*"; }
export GEMM_PEER=${GEMM_PEER:-/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0}
if [ "${PEER_CORETYPE:-SkylakeX}" = auto ]; then unset OPENBLAS_CORETYPE; else export OPENBLAS_CORETYPE=${PEER_CORETYPE:-SkylakeX}; fi
all=(gemmcpu gemm mlp tdmpc2 d1m d12m plan)
work=("$@"); [ ${#work[@]} -gt 0 ] || work=("${all[@]}")
for w in "${work[@]}"; do
  [[ " ${all[*]} " == *" $w "* ]] || { echo "against-peers.sh: unknown workload '$w' (${all[*]})" >&2; exit 2; }
done
for w in "${work[@]}"; do
  case $w in
    gemmcpu) for t in 1 2; do log gemmcpu $t; $B gemmcpu --threads $t; done ;;
    gemm)    for t in 1 2; do log gemm ours $t; $B gemm --threads $t; log gemm peer $t; $P sgemm $t; done ;;
    mlp)     for t in 1 2; do log mlp ours $t; $B mlp --threads $t; log mlp peer $t; $P mlp $t; done ;;
    tdmpc2)  for t in 1 2; do log tdmpc2 ours $t; $B tdmpc2 --threads $t; log tdmpc2 peer $t; $P tdmpc2 $t; done ;;
    d1m)     for t in 1 2; do log d1m ours $t; $B dreamerv3_1m --threads $t; log d1m peer $t; $P dreamerv3_1m $t; done ;;
    d12m)    for t in 1 2; do log d12m ours $t; $B dreamerv3_12m --threads $t --reps 1; log d12m peer $t; $P dreamerv3_12m $t; done ;;
    plan)    for t in 1 2; do log plan $t; $B tdmpc2-plan --threads $t; done ;;
  esac
done
log done
