#!/usr/bin/env bash
# A training-step workload against its PyTorch peer, measured the way a noisy shared host allows: ours
# (`bench WORKLOAD`) and the peer (`bench/peer.sh WORKLOAD`) in separate processes, alternating, ROUNDS times per
# thread count; then per thread count every round's pair (ours median_ms / the peer's best_median_ms) and the median
# of the per-round ratios, ours / PyTorch (below 1: we are faster). The step-time twin of gemm-rounds.sh.
# Why rounds: on this VM a core's speed moves 30-50% within minutes, so one pair of processes can land one in a fast
# minute and the other in a slow one (dreamerv3_1m at 1 thread read 0.42 in one pair and 0.51 ten minutes later).
# Usage: bench/scripts/step-rounds.sh WORKLOAD [ROUNDS=3] [THREADS="1 2"] > log
#   WORKLOAD: mlp, tdmpc2, dreamerv3_1m or dreamerv3_12m (12m runs one rep of ours per round: ~1 min per process).
# Build first: dotnet build bench/Reverie.Bench -c Release. Needs python3 (the peers need it anyway).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-}
rounds=${2:-3}
threads=${3:-"1 2"}
case $work in
  mlp|tdmpc2|dreamerv3_1m) reps=() ;;
  dreamerv3_12m) reps=(--reps 1) ;;
  *) echo "step-rounds.sh: WORKLOAD must be mlp, tdmpc2, dreamerv3_1m or dreamerv3_12m, got '$work'" >&2; exit 2 ;;
esac
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "step-rounds.sh: ROUNDS must be a positive integer, got '$rounds'" >&2; exit 2; }
dll=$root/bench/Reverie.Bench/bin/Release/net10.0/Reverie.Bench.dll
[ -f "$dll" ] || { echo "step-rounds.sh: build first: dotnet build $root/bench/Reverie.Bench -c Release" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for t in $threads; do
  for r in $(seq 1 "$rounds"); do
    echo "## $(date +%T) load=$(cut -d' ' -f1 /proc/loadavg) $work threads=$t round=$r" >&2
    dotnet "$dll" "$work" --threads "$t" "${reps[@]}" > "$tmp/ours_${t}_$r.json"
    bash "$root/bench/peer.sh" "$work" "$t" > "$tmp/peer_${t}_$r.json"
  done
done
python3 - "$tmp" "$rounds" "$threads" "$work" <<'EOF'
import json, statistics, sys, pathlib
d, rounds, threads, work = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(), sys.argv[4]
def last_json(path):
    lines = [l for l in path.read_text().splitlines() if l.startswith("{")]
    if not lines: sys.exit(f"step-rounds.sh: no JSON line in {path.name}")
    return json.loads(lines[-1])
print(f"{work}, {rounds} alternating rounds per thread count: ours median_ms / PyTorch best_median_ms per round, then the median ratio\n")
print("| threads | rounds (ours / PyTorch ms) | median ratio |\n|---:|---|---:|")
for t in threads:
    pairs = [(last_json(d / f"ours_{t}_{r}.json")["median_ms"], last_json(d / f"peer_{t}_{r}.json")["best_median_ms"])
             for r in range(1, rounds + 1)]
    med = statistics.median(o / p for o, p in pairs)
    print(f"| {t} | " + ", ".join(f"{o:.1f}/{p:.1f}" for o, p in pairs) + f" | {med:.2f} |")
EOF
