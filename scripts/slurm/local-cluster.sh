#!/usr/bin/env bash
# A one-node Slurm on localhost for tests (docs/CLUSTER.md): munged, slurmctld and slurmd
# with their state in DIR, on loopback ports. Debian's slurm-wlm and munge.
#
#   scripts/slurm/local-cluster.sh start DIR   # prints: export SLURM_CONF=DIR/slurm.conf
#   scripts/slurm/local-cluster.sh stop DIR
#
# Needs root (slurmd launches jobs as their user). Exits 3 when the daemons cannot start
# here (e.g. a sandbox without the needed privileges); DIR/*.log say why.
set -euo pipefail
cmd=${1:?start or stop}
dir=$(realpath -m "${2:?state directory}")
host=$(hostname -s)
conf=$dir/slurm.conf

stop() {
  for p in slurmd slurmctld munged; do
    if [ -f "$dir/$p.pid" ]; then kill "$(cat "$dir/$p.pid")" 2>/dev/null || true; fi
  done
  sleep 0.5
  for p in slurmd slurmctld munged; do
    if [ -f "$dir/$p.pid" ]; then kill -9 "$(cat "$dir/$p.pid")" 2>/dev/null || true; fi
    rm -f "$dir/$p.pid"
  done
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "local-cluster: needs root" >&2; exit 3; }
for b in munged slurmctld slurmd sbatch; do
  command -v "$b" >/dev/null || { echo "local-cluster: $b missing (scripts/install-deps.sh)" >&2; exit 3; }
done
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
cpus=$(nproc)
mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2))
port=$((20000 + RANDOM % 20000))
cat > "$conf" <<CONF
ClusterName=chipsim-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
munged --socket="$dir/munge/munge.socket" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/seed" --force >/dev/null 2>&1 ||
  { echo "local-cluster: munged failed; see $dir/munged.log" >&2; exit 3; }
export SLURM_CONF=$conf
slurmctld -f "$conf" >"$dir/slurmctld.out" 2>&1 ||
  { echo "local-cluster: slurmctld failed; see $dir/slurmctld.log" >&2; stop; exit 3; }
slurmd -f "$conf" >"$dir/slurmd.out" 2>&1 ||
  { echo "local-cluster: slurmd failed; see $dir/slurmd.log" >&2; stop; exit 3; }
for _ in $(seq 1 100); do  # until the node takes jobs
  if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
    echo "export SLURM_CONF=$conf"
    exit 0
  fi
  sleep 0.2
done
echo "local-cluster: the node never became idle; see $dir/slurmctld.log and $dir/slurmd.log" >&2
stop
exit 3
