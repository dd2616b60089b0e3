#!/usr/bin/env bash
# `chipsim graph` output is usable by the tools it is for: Graphviz renders the DOT, and the
# JSON parses, with as many nodes and edges as `validate` reports.
# Usage: graph_render_test.sh CHIPSIM SCENARIO
set -euo pipefail
chipsim=$1 scenario=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$chipsim" graph "$scenario" --format dot -o "$tmp/g.dot"
dot -Tsvg "$tmp/g.dot" -o "$tmp/g.svg"
test -s "$tmp/g.svg"
grep -q '<svg' "$tmp/g.svg"

"$chipsim" graph "$scenario" --format json -o "$tmp/g.json"
counts=$(/usr/bin/python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))
ids = {n["id"] for n in g["nodes"]}
assert all(e["from"] in ids and e["to"] in ids for e in g["edges"]), "dangling edge"
print(len(g["nodes"]), len(g["edges"]))' "$tmp/g.json")
expected=$("$chipsim" validate "$scenario" | sed -n 's/^graph *\([0-9]*\) vertices, \([0-9]*\) edges$/\1 \2/p')
[ "$counts" = "$expected" ] || { echo "json has $counts, validate says $expected"; exit 1; }
echo "graph output: dot renders to SVG; json parses with $counts nodes/edges"
