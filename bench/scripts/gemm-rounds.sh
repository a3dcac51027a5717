#!/usr/bin/env bash
# The gemm target of issue 2, measured the way a noisy shared host allows: ours (`bench gemm`) and the peer
# (`bench/peer.sh sgemm`, OpenBLAS) in separate processes, alternating, ROUNDS times per thread count, then per shape
# the median over rounds of ours/OpenBLAS (each round's ratio uses the two processes run back to back).
# Why rounds: on a VM whose neighbours move a core's speed by 30-40% within minutes, one pair of processes can land
# one in a fast minute and the other in a slow one (sq1024 at 1 thread read 0.66 in one pair and 0.84 in the next).
# Usage: bench/scripts/gemm-rounds.sh [ROUNDS=4] [THREADS="1 2"] > log; the summary table is printed last.
# Build first: dotnet build bench/Reverie.Bench -c Release. Needs python3 (the peers need it anyway).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-4}
threads=${2:-"1 2"}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "gemm-rounds.sh: ROUNDS must be a positive integer, got '$rounds'" >&2; exit 2; }
dll=$root/bench/Reverie.Bench/bin/Release/net10.0/Reverie.Bench.dll
[ -f "$dll" ] || { echo "gemm-rounds.sh: build first: dotnet build $root/bench/Reverie.Bench -c Release" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for t in $threads; do
  for r in $(seq 1 "$rounds"); do
    echo "## $(date +%T) load=$(cut -d' ' -f1 /proc/loadavg) threads=$t round=$r" >&2
    dotnet "$dll" gemm --threads "$t" > "$tmp/ours_${t}_$r.jsonl"
    bash "$root/bench/peer.sh" sgemm "$t" > "$tmp/peer_${t}_$r.json"
  done
done
python3 - "$tmp" "$rounds" "$threads" <<'EOF'
import json, statistics, sys, pathlib
d, rounds, threads = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split()
shapes, table = [], {}
for t in threads:
    for r in range(1, rounds + 1):
        ours = {}
        for line in (d / f"ours_{t}_{r}.jsonl").read_text().splitlines():
            o = json.loads(line)
            ours[o["shape"]] = o["gflops"]
        peer = {p["shape"]: p["gflops_median"] for p in json.loads((d / f"peer_{t}_{r}.json").read_text())["results"]}
        for s, g in ours.items():
            if s not in peer: continue
            if s not in shapes: shapes.append(s)
            table.setdefault((s, t), []).append((g, peer[s]))
print(f"gemm, {rounds} alternating rounds per thread count: GFLOP/s ours / OpenBLAS per round, then the median ratio")
for t in threads:
    print(f"\n| shape | {t} thread(s): rounds (ours / OpenBLAS) | median ratio |\n|---|---|---:|")
    for s in shapes:
        pairs = table.get((s, t), [])
        if not pairs: continue
        med = statistics.median(o / p for o, p in pairs)
        print(f"| {s} | " + ", ".join(f"{o:.0f}/{p:.0f}" for o, p in pairs) + f" | {med:.2f} |")
EOF
