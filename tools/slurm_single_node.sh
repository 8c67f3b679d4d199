#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, from Debian's packages: the cluster on which
# tests/test_slurm_live.py runs the smoke build through workflow/profiles/slurm (and CI, .ci/run).
#
#   bash tools/slurm_single_node.sh start    # install if missing, configure, start; returns when the node takes jobs
#   bash tools/slurm_single_node.sh status   # the daemons and the node; exit 0 when the node takes jobs
#   bash tools/slurm_single_node.sh stop     # stop the daemons (packages and configuration stay)
#
# `start` is idempotent: it installs only missing packages (apt-get, so as root, on Debian or Ubuntu:
# munge, slurmctld, slurmd, slurm-client), rewrites /etc/slurm/slurm.conf only when its content
# changes (then restarts the daemons), and starts only the daemons that are not running. On a fresh
# 2-core machine it takes about a minute, most of it apt-get (see the README's SLURM section).
#
# What it sets up, and why:
# - munged: SLURM's authentication; the key is made on first start.
# - slurmctld and slurmd on this host, one node whose CPUs and memory are those `slurmd -C` detects,
#   one partition `debug` (the default, no time limit). Jobs share the node by CPU and memory
#   (select/cons_tres, CR_CPU_Memory), so a job asks for exactly the CPUs and memory it needs.
# - No accounting database (no slurmdbd, no MariaDB): `sacct` does not work here, and Snakemake's
#   SLURM plugin is told to use `squeue` (workflow/profiles/slurm/config.yaml, status_command). squeue
#   sees a finished job for MinJobAge seconds, set here to 300 (SLURM's default), far longer than the
#   profile's interval between status checks.
# - No cgroups (proctrack/linuxproc, task/none): they are not available in every container, and
#   a test cluster needs no enforcement of its limits.
# Logs: /var/log/slurm/{slurmctld,slurmd}.log and /var/log/munge/munged.log.
set -euo pipefail

PACKAGES=(munge slurm-client slurmctld slurmd)
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
STATE_DIR=/var/lib/slurm/slurmctld
SPOOL_DIR=/var/lib/slurm/slurmd
RUN_DIR=/run/slurm
LOG_DIR=/var/log/slurm
MUNGE_PID=/run/munge/munged.pid
SLURMCTLD_PID=$RUN_DIR/slurmctld.pid
SLURMD_PID=$RUN_DIR/slurmd.pid
START_TIMEOUT_S=60

log() { echo "slurm_single_node: $*"; }

running() { # pid file -> exit 0 when its process is alive
    local pid
    pid=$(cat "$1" 2>/dev/null) && [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

missing_packages() {
    local package
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
    done
}

install_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} > 0)) || return 0
    if [[ $EUID -ne 0 ]]; then
        log "needs root to install: ${missing[*]}"
        exit 1
    fi
    log "installing ${missing[*]}"
    # Another apt-get may hold the dpkg lock (a machine shared by several builds): wait for it.
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

node_line() { # this host as SLURM sees it: NodeName=... CPUs=... RealMemory=...
    slurmd -C | head -n 1
}

write_config() { # exit 0 when slurm.conf changed
    local host new
    host=$(hostname -s)
    new=$(
        cat <<EOF
# Written by tools/slurm_single_node.sh: a single-node cluster on this machine.
ClusterName=single
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldPidFile=$SLURMCTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=1000
MpiDefault=none
ReturnToService=2
MinJobAge=300
$(node_line) NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    )
    if [[ -f $CONF ]] && [[ "$(cat "$CONF")" == "$new" ]]; then
        return 1
    fi
    mkdir -p "$CONF_DIR"
    echo "$new" >"$CONF"
    log "wrote $CONF"
}

start_munge() {
    running "$MUNGE_PID" && return
    if [[ ! -s /etc/munge/munge.key ]]; then
        mungekey --create --keyfile=/etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    fi
    mkdir -p /run/munge /var/log/munge
    chown munge:munge /run/munge /var/log/munge
    runuser -u munge -- /usr/sbin/munged
    log "started munged"
}

start_slurm() {
    mkdir -p "$STATE_DIR" "$SPOOL_DIR" "$RUN_DIR" "$LOG_DIR"
    chown slurm:slurm "$STATE_DIR" "$RUN_DIR" "$LOG_DIR"
    if ! running "$SLURMCTLD_PID"; then
        slurmctld
        log "started slurmctld"
    fi
    if ! running "$SLURMD_PID"; then
        slurmd
        log "started slurmd"
    fi
}

node_state() { # idle, mixed, allocated, down, ... of the one node; empty when slurmctld does not answer
    sinfo --noheader --format=%T 2>/dev/null | head -n 1 | tr -d '*~#'
}

takes_jobs() {
    case $(node_state) in
        idle | mixed | allocated | completing) return 0 ;;
        *) return 1 ;;
    esac
}

wait_for_node() {
    local waited=0
    until takes_jobs; do
        if ((waited >= START_TIMEOUT_S)); then
            log "the node is not up after ${START_TIMEOUT_S} s (state: '$(node_state)'); see $LOG_DIR"
            exit 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

stop_daemon() { # name, pid file
    if running "$2"; then
        kill "$(cat "$2")"
        local waited=0
        while running "$2" && ((waited < 30)); do
            sleep 1
            waited=$((waited + 1))
        done
        log "stopped $1"
    fi
}

stop() {
    stop_daemon slurmd "$SLURMD_PID"
    stop_daemon slurmctld "$SLURMCTLD_PID"
    stop_daemon munged "$MUNGE_PID"
}

start() {
    install_packages
    if write_config; then
        # A changed configuration is read on start: restart what runs.
        stop_daemon slurmd "$SLURMD_PID"
        stop_daemon slurmctld "$SLURMCTLD_PID"
    fi
    start_munge
    start_slurm
    wait_for_node
    log "up: $(sinfo --noheader --format='node %N, %c CPUs, %m MB, partition %P, %T')"
}

status() {
    local name pid_file
    for name in munged slurmctld slurmd; do
        case $name in
            munged) pid_file=$MUNGE_PID ;;
            slurmctld) pid_file=$SLURMCTLD_PID ;;
            slurmd) pid_file=$SLURMD_PID ;;
        esac
        if running "$pid_file"; then echo "$name: running (pid $(cat "$pid_file"))"; else echo "$name: not running"; fi
    done
    if takes_jobs; then
        sinfo
        return 0
    fi
    echo "node: not taking jobs (state: '$(node_state)')"
    return 1
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
