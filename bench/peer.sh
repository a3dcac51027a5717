#!/usr/bin/env bash
# Runs a PyTorch/OpenBLAS peer workload of ../shared/peers/ exactly as its run_peer.sh does, except that OpenBLAS
# is told which kernels to use (OPENBLAS_CORETYPE, default SkylakeX: its AVX-512 sgemm) instead of detecting them.
# Why: OpenBLAS 0.3.21 (Debian 12) does not know Emerald Rapids (family 6, model 207) and falls back to its
# Prescott (SSE3) kernels, 4-5x slower (sq1024 at 1 thread: 26 against 110-150 GFLOP/s), and run_peer.sh unsets
# OPENBLAS_CORETYPE. Comparing against that would flatter us; this script gives the peer its best kernels.
# Usage: bench/peer.sh <sgemm|mlp|tdmpc2|dreamerv3_1m|dreamerv3_12m> [threads]
#   PEER_CORETYPE=auto keeps OpenBLAS's own detection (then this is run_peer.sh itself); PEERS=dir locates the peers
#   (default: ../shared/peers beside the repository, else /work/shared/peers).
set -euo pipefail
peers=${PEERS:-$(cd "$(dirname "$0")/../.." && pwd)/shared/peers}
[ -f "$peers/run_peer.sh" ] || [ -n "${PEERS:-}" ] || peers=/work/shared/peers
[ -f "$peers/run_peer.sh" ] || { echo "peer.sh: no run_peer.sh in $peers (set PEERS=dir)" >&2; exit 2; }
core=${PEER_CORETYPE:-SkylakeX}
if [ "$core" = auto ]; then exec bash "$peers/run_peer.sh" "$@"; fi
script=$(sed "s/^unset OPENBLAS_CORETYPE\$/export OPENBLAS_CORETYPE=$core/" "$peers/run_peer.sh")
grep -q "^export OPENBLAS_CORETYPE=$core\$" <<<"$script" \
  || { echo "peer.sh: run_peer.sh no longer has the line 'unset OPENBLAS_CORETYPE'; update this script" >&2; exit 2; }
# bash -c with $0 = the original path, so the script finds its Python files beside itself.
exec bash -c "$script" "$peers/run_peer.sh" "$@"
