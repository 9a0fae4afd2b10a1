#!/bin/bash
# A one-node Slurm cluster on this machine (Debian, as root), to run `--executor slurm` for real:
# slurmctld and slurmd on localhost, munge for authentication, one partition "cpu" with every
# core and 95% of the memory, shared by the cores (a job without --mem gets its cores' share, as
# on most clusters, rather than the whole node); no accounting (submitit then warns that it cannot call sacct and
# reads each job's state from its result file). Measured with it: benchmarks/NOTES.md, round 14.
# usage: bash benchmarks/slurm_one_node.sh   (then: sinfo; srun hostname)
set -eu
command -v slurmctld >/dev/null || apt-get install -y -q slurm-wlm munge >/dev/null
host=$(hostname -s)
node=$(slurmd -C | head -1 | sed -E 's/ RealMemory=([0-9]+)/ RealMemory=\1/')
memory=$(echo "$node" | sed -E 's/.*RealMemory=([0-9]+).*/\1/')
memory=$((memory * 95 / 100)); cpus=$(echo "$node" | sed -E 's/.* CPUs=([0-9]+).*/\1/')
node=$(echo "$node" | sed -E "s/RealMemory=[0-9]+/RealMemory=$memory/")
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
chown munge:munge /run/munge
cat > /etc/slurm/slurm.conf <<EOF
ClusterName=grokbench
SlurmctldHost=$host
SlurmUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$((memory / cpus))
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
$node State=UNKNOWN
PartitionName=cpu Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
sleep 2
sinfo
