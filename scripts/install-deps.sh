#!/usr/bin/env bash
# Installs chipsim's build and analysis dependencies from Debian's packages.
# Idempotent: a package already installed is skipped, and apt is not touched at all
# when nothing is missing. Needs root (or sudo) only when something must be installed.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libboost-dev libboost-graph-dev
  libtbb-dev
  libhdf5-dev hdf5-tools zlib1g-dev libdeflate-dev libisal-dev
  libtomlplusplus-dev
  libcli11-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  openmpi-bin libopenmpi-dev
  slurm-wlm munge
  clang-format graphviz
  clang libclang-rt-14-dev  # libFuzzer and ThreadSanitizer (scripts/fuzz.sh, scripts/tsan.sh)
  python3 python3-numpy python3-h5py python3-pandas python3-xarray python3-h5netcdf
  python3-matplotlib python3-pytest python3-dask python3-nbclient python3-nbformat python3-ipykernel
  python3-venv
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
