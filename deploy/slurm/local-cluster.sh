#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying the shipped sbatch file (and for CI):
# munged, slurmctld and slurmd on localhost with a minimal slurm.conf, all state in one folder.
#   deploy/slurm/local-cluster.sh start DIR   # then: export SLURM_CONF=DIR/slurm.conf
#   deploy/slurm/local-cluster.sh stop DIR
# Needs Debian's slurm-wlm and munge packages and root (slurmd runs jobs as their submitter).
set -euo pipefail
action=${1:?usage: local-cluster.sh start|stop DIR}
dir=$(mkdir -p "${2:?usage: local-cluster.sh start|stop DIR}" && cd "$2" && pwd)

# Stop the daemons and wait until they are gone (each removes its pid file as it exits).
stop() {
  local pids=()
  for file in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$file" ] && pids+=("$(cat "$file")")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "${pids[@]}" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -9 "${pids[@]}" 2>/dev/null || true
}

if [ "$action" = stop ]; then stop; exit 0; fi
[ "$action" = start ] || { echo "local-cluster.sh: unknown action $action (start or stop)" >&2; exit 2; }
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || { echo "local-cluster.sh: $tool not found (apt-get install slurm-wlm munge)" >&2; exit 3; }
done

# munge: its own key, socket and state here, so nothing of the machine's is touched.
mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
chmod 755 "$dir"
runuser -u munge -- test -x "$dir" || { echo "local-cluster.sh: the munge user cannot reach $dir (a parent folder is private): use a folder under /tmp" >&2; exit 2; }
chown munge: "$dir/munge" && chmod 711 "$dir/munge"  # munged wants its socket folder searchable by all
[ -f "$dir/munge/munge.key" ] || { dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none; chown munge: "$dir/munge/munge.key"; chmod 400 "$dir/munge/munge.key"; }
runuser -u munge -- munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
cat > "$dir/slurm.conf" <<CONF
ClusterName=pipesim-local
SlurmctldHost=localhost
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
SlurmctldPort=$(( 16817 ))
SlurmdPort=$(( 16818 ))
# Process groups, not cgroups (none inside a container): scancel reaches every process of a task.
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
MpiDefault=none
ReturnToService=2
KillWait=5
NodeName=localhost NodeHostname=localhost CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF" -N localhost
# Ready when the node takes jobs.
for _ in $(seq 1 60); do
  state=$(sinfo -h -N -o %t 2>/dev/null || true)
  case "$state" in idle*|mix*|alloc*) echo "local Slurm up: export SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
  sleep 0.5
done
echo "local-cluster.sh: the node did not come up (state: ${state:-none}); see $dir/slurmctld.log and $dir/slurmd.log" >&2
stop
exit 1
