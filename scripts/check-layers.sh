#!/usr/bin/env bash
# Enforces the layering rules of DESIGN.md §1 on sim/:
#  - no company, chip or country name (the world lives in scenarios/);
#  - toml++ only in sim/scenario/loader.cpp; HDF5 only in sim/io/;
#  - sim/model knows nothing of TBB, MPI, HDF5 or the CLI;
#  - no global random engine.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
check() {  # check DESCRIPTION MATCHES...
  local what=$1; shift
  if [ -n "$*" ]; then echo "layering: $what:"; printf '  %s\n' "$@"; fail=1; fi
}
check "world names in sim/" $(grep -rliE '\b(nvidia|huawei|tsmc|smic|cambricon|hynix|micron|samsung|cxmt|hygon|amd|alibaba|bytedance|tencent|baidu|china|chinese)\b' sim)
check "toml++ outside sim/scenario/loader.cpp" $(grep -rl 'toml++' sim | grep -v '^sim/scenario/loader.cpp$')
check "HDF5 outside sim/io/" $(grep -rlE '#include *[<"](hdf5|H5)' sim | grep -v '^sim/io/')
if [ -d sim/model ]; then
  check "TBB/MPI/HDF5/CLI in sim/model" $(grep -rlE '#include *[<"](tbb/|oneapi/|mpi|hdf5|H5|CLI/|cli/)' sim/model)
fi
check "global random engines" $(grep -rlE '^(static )?(std|boost::random)::(mt19937|default_random_engine)' sim)
[ $fail -eq 0 ] && echo "layering: sim/ respects DESIGN.md §1"
exit $fail
