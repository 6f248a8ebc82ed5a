#!/usr/bin/env bash
# A virtual X display with a system tray, for GUI tests and CI.
#
#   eval "$(.ci/x-setup.sh start)"   start Xvfb on a free display (from :99 up) and trayer
#                                    on it; prints `export DISPLAY=:N` on stdout
#   .ci/x-setup.sh stop              kill what `start` started
#
# Without a tray host QSystemTrayIcon.isSystemTrayAvailable() is False; Debian's trayer
# provides one. Give a new tray icon ~300 ms to embed before clicking it with xdotool.
# State (pids, logs) lives in $PRESENCE_X_STATE (default ${XDG_RUNTIME_DIR:-/tmp}/presence-x-$UID).
set -euo pipefail

STATE=${PRESENCE_X_STATE:-${XDG_RUNTIME_DIR:-/tmp}/presence-x-$(id -u)}
SCREEN=${PRESENCE_X_SCREEN:-1280x800x24}
FIRST_DISPLAY=${PRESENCE_X_FIRST_DISPLAY:-99}

log() { echo "x-setup: $*" >&2; }

need() {
    local missing=()
    for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
    if [ ${#missing[@]} -gt 0 ]; then
        log "missing ${missing[*]}; run packaging/linux/apt-deps.sh (xvfb, trayer, x11-utils)"
        exit 1
    fi
}

# a pid that runs (an unreaped zombie does not count)
running() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
alive() { [ -f "$1" ] && running "$(cat "$1")"; }

start() {
    need Xvfb trayer xdpyinfo
    mkdir -p "$STATE"
    chmod 700 "$STATE"

    local n display pid
    if alive "$STATE/xvfb.pid" && [ -f "$STATE/display" ] \
        && xdpyinfo -display "$(cat "$STATE/display")" >/dev/null 2>&1; then
        display=$(cat "$STATE/display")
        log "reusing Xvfb on $display"
    else
        n=$FIRST_DISPLAY
        while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do
            n=$((n + 1))
            [ "$n" -lt $((FIRST_DISPLAY + 100)) ] || { log "no free display"; exit 1; }
        done
        display=":$n"
        Xvfb "$display" -screen 0 "$SCREEN" -nolisten tcp -ac +extension RANDR \
            </dev/null >"$STATE/xvfb.log" 2>&1 &
        pid=$!
        echo "$pid" >"$STATE/xvfb.pid"
        echo "$display" >"$STATE/display"
        for _ in $(seq 100); do
            xdpyinfo -display "$display" >/dev/null 2>&1 && break
            running "$pid" || break
            sleep 0.05
        done
        if ! xdpyinfo -display "$display" >/dev/null 2>&1; then
            log "Xvfb did not come up on $display; log:"
            cat "$STATE/xvfb.log" >&2 || true
            exit 1
        fi
        log "started Xvfb on $display ($SCREEN)"
    fi

    if ! alive "$STATE/trayer.pid"; then
        DISPLAY=$display trayer --edge top --align right --widthtype request --height 24 \
            --SetDockType true --SetPartialStrut true --transparent false \
            </dev/null >"$STATE/trayer.log" 2>&1 &
        pid=$!
        echo "$pid" >"$STATE/trayer.pid"
        # wait until trayer's panel and its tray manager (the unmapped, classless "trayer"
        # window that owns _NET_SYSTEM_TRAY_S0) exist
        local ok=0 tree
        for _ in $(seq 100); do
            tree=$(DISPLAY=$display xwininfo -root -tree 2>/dev/null || true)
            if grep -q '"panel"' <<<"$tree" && grep -q '"trayer": ()' <<<"$tree"; then
                ok=1
                break
            fi
            running "$pid" || break
            sleep 0.05
        done
        if [ "$ok" -ne 1 ]; then
            log "trayer did not come up; log:"
            cat "$STATE/trayer.log" >&2 || true
            exit 1
        fi
        log "started trayer"
    fi
    echo "export DISPLAY=$display"
}

stop() {
    local name pid
    for name in trayer xvfb; do
        if [ -f "$STATE/$name.pid" ]; then
            pid=$(cat "$STATE/$name.pid")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 40); do running "$pid" || break; sleep 0.05; done
            if running "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
            rm -f "$STATE/$name.pid"
        fi
    done
    rm -f "$STATE/display"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
