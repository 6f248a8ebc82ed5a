#!/usr/bin/env bash
# Run a command with an X display and a PulseAudio server, starting virtual ones only where
# none is reachable, and stopping whatever this script started when the command ends.
#
#   .ci/with-virtual-devices.sh CMD [ARGS...]     exits with CMD's exit status
#
# X: DISPLAY is used when `xdpyinfo` answers on it (or when DISPLAY is set and xdpyinfo is not
# installed); otherwise .ci/x-setup.sh starts Xvfb + trayer and DISPLAY points at it.
# Sound: a server that `pactl info` reaches is used; otherwise .ci/pulse-setup.sh starts
# PulseAudio in a private runtime folder and PULSE_SERVER points at it (XDG_RUNTIME_DIR is set
# to that folder only where it was unset).
# What it starts has private state folders, so it never reuses or stops anyone else's devices
# (.ci/run starts its own before `make test`; they are found here and left alone).
# Where the tools are missing it says so and runs CMD anyway (the GUI and audio tests skip).
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { echo "with-virtual-devices: $*" >&2; }

STATE=""
X_STARTED=0
PULSE_STARTED=0
PULSE_ENV=()

# shellcheck disable=SC2329  # called by the EXIT trap
cleanup() {
    set +e
    if [ "$PULSE_STARTED" -eq 1 ]; then
        env "${PULSE_ENV[@]}" bash "$HERE/pulse-setup.sh" stop >/dev/null 2>&1 \
            || log "WARNING: pulse-setup.sh stop failed"
    fi
    if [ "$X_STARTED" -eq 1 ]; then
        PRESENCE_X_STATE="$STATE/x" bash "$HERE/x-setup.sh" stop >/dev/null 2>&1 \
            || log "WARNING: x-setup.sh stop failed"
    fi
    [ -z "$STATE" ] || rm -rf "$STATE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

display_ok() {
    [ -n "${DISPLAY:-}" ] || return 1
    command -v xdpyinfo >/dev/null 2>&1 || return 0  # cannot check: trust DISPLAY
    xdpyinfo -display "$DISPLAY" >/dev/null 2>&1
}

pulse_ok() { command -v pactl >/dev/null 2>&1 && timeout 10 pactl info >/dev/null 2>&1; }

private_state() {
    if [ -z "$STATE" ]; then
        STATE=$(mktemp -d "${TMPDIR:-/tmp}/presence-devices.XXXXXX")
        chmod 700 "$STATE"
    fi
}

if ! display_ok; then
    private_state
    if xenv=$(PRESENCE_X_STATE="$STATE/x" bash "$HERE/x-setup.sh" start); then
        X_STARTED=1
        eval "$xenv"
        export DISPLAY
        log "no X display was reachable; started Xvfb on $DISPLAY"
    else
        X_STARTED=1  # stop whatever part of it did start
        unset DISPLAY  # a display that does not answer would abort Qt; without one GUI tests skip
        log "no X display and none could be started; GUI tests will skip"
    fi
fi

if ! pulse_ok; then
    private_state
    mkdir -m 700 "$STATE/rt"
    PULSE_ENV=(-u PULSE_SERVER "XDG_RUNTIME_DIR=$STATE/rt" "PRESENCE_PULSE_STATE=$STATE/pulse")
    PULSE_STARTED=1  # even a failed start may leave a daemon to stop
    if env "${PULSE_ENV[@]}" bash "$HERE/pulse-setup.sh" start; then
        export PULSE_SERVER="unix:$STATE/rt/pulse/native"
        [ -n "${XDG_RUNTIME_DIR:-}" ] || export XDG_RUNTIME_DIR="$STATE/rt"
        log "no PulseAudio server was reachable; started one ($PULSE_SERVER)"
    else
        log "no PulseAudio server and none could be started; audio tests will skip"
    fi
fi

rc=0
"$@" || rc=$?
exit "$rc"
