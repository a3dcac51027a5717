#!/usr/bin/env bash
# Every speed comparison against the PyTorch/OpenBLAS peers, ours and the peer back to back per workload and thread
# count, on a machine with nothing else running. Usage: bench/scripts/against-peers.sh > log (about 20 minutes).
# Build first: dotnet build bench/Reverie.Bench -c Release. docs/performance.md ("Against the peers") holds a run.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
B="dotnet $root/bench/Reverie.Bench/bin/Release/net10.0/Reverie.Bench.dll"
P="$root/../shared/peers/run_peer.sh"
[ -x "$P" ] || P=${PEERS:-/work/shared/peers}/run_peer.sh
log() { echo "## $(date +%T) load=$(cut -d' ' -f1 /proc/loadavg) $*"; }
export GEMM_PEER=${GEMM_PEER:-/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0}
for t in 1 2; do log gemmcpu $t; $B gemmcpu --threads $t; done
for t in 1 2; do log mlp ours $t; $B mlp --threads $t; log mlp peer $t; $P mlp $t; done
for t in 1 2; do log tdmpc2 ours $t; $B tdmpc2 --threads $t; log tdmpc2 peer $t; $P tdmpc2 $t; done
for t in 1 2; do log d1m ours $t; $B dreamerv3_1m --threads $t; log d1m peer $t; $P dreamerv3_1m $t; done
for t in 1 2; do log d12m ours $t; $B dreamerv3_12m --threads $t --reps 1; log d12m peer $t; $P dreamerv3_12m $t; done
for t in 1 2; do log plan $t; $B tdmpc2-plan --threads $t; done
log done
