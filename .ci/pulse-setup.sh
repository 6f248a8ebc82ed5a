#!/usr/bin/env bash
# Virtual sound devices for tests and CI on a machine without a sound card.
#
#   .ci/pulse-setup.sh start    start (or reuse) PulseAudio and create the devices
#   .ci/pulse-setup.sh stop     undo what `start` did (kills only what it started)
#   .ci/pulse-setup.sh status   show the devices
#
# Devices:
#   speaker        null sink, the default output: what the app plays lands here;
#                  record it with `parec --device=speaker.monitor`
#   micsink        null sink: play into it to "speak into the microphone",
#                  e.g. `paplay --device=micsink file.wav`
#   mic            remap of micsink.monitor, the default input the app records from
# PortAudio (sounddevice) reaches them through ALSA's `default`/`pulse` devices, which the
# pulse plugin of libasound2-plugins routes to this server.
#
# A null sink's monitor delivers no samples while nothing plays into the sink, so a
# keep-alive `pacat` plays silence into each sink all the time; otherwise captures start
# late and lose audio.
#
# State (pids, module ids, log) lives in $PRESENCE_PULSE_STATE (default
# ${XDG_RUNTIME_DIR:-/tmp}/presence-pulse-$UID). Clients find the server the usual way
# (XDG_RUNTIME_DIR / PULSE_SERVER), so run tests in the same environment as this script.
set -euo pipefail

STATE=${PRESENCE_PULSE_STATE:-${XDG_RUNTIME_DIR:-/tmp}/presence-pulse-$(id -u)}
RATE=${PRESENCE_PULSE_RATE:-48000}
# latency of the keep-alive streams; a null sink renders in blocks as long as the lowest
# latency any of its streams asks for, and pacat's default (2 s) makes monitors and the mic
# deliver audio in bursts seconds late
KEEPALIVE_MS=${PRESENCE_PULSE_KEEPALIVE_MS:-20}

log() { echo "pulse-setup: $*" >&2; }

need() {
    local missing=()
    for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
    if [ ${#missing[@]} -gt 0 ]; then
        log "missing ${missing[*]}; run packaging/linux/apt-deps.sh (pulseaudio, pulseaudio-utils)"
        exit 1
    fi
}

# a pid that runs (an unreaped zombie does not count)
running() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }

server_up() { pactl info >/dev/null 2>&1; }

have_sink() { pactl list short sinks 2>/dev/null | awk '{print $2}' | grep -qx "$1"; }
have_source() { pactl list short sources 2>/dev/null | awk '{print $2}' | grep -qx "$1"; }

load() {
    # load-module and remember its index so `stop` can unload it from a reused server
    local idx
    idx=$(pactl load-module "$@")
    echo "$idx" >>"$STATE/modules"
}

max_sink_latency_us() {
    # the largest current latency of our sinks, in microseconds
    pactl list sinks 2>/dev/null | awk '
        /^[[:space:]]*Name:/ { ours = ($2 == "speaker" || $2 == "micsink") }
        ours && /^[[:space:]]*Latency:/ { if ($2 > max) max = $2 }
        END { print max + 0 }'
}

alsa_routes_to_pulse() {
    # Debian's pulseaudio package links /etc/alsa/conf.d/99-pulse.conf, which makes ALSA's
    # `default` the pulse plugin whenever a server is running.
    local f
    for f in /etc/alsa/conf.d/99-pulse.conf /etc/asound.conf "$HOME/.asoundrc"; do
        [ -e "$f" ] && grep -qs pulse "$f" && return 0
    done
    return 1
}

start() {
    need pulseaudio pactl pacat
    mkdir -p "$STATE"
    chmod 700 "$STATE"

    if server_up; then
        log "reusing the running PulseAudio server"
    else
        rm -f "$STATE/modules" "$STATE/keepalive.pids" "$STATE/started-daemon"
        # -n: no default.pa (no udev/ALSA cards, no suspend-on-idle, no restore databases):
        # the same small setup on every machine. As root it only warns.
        pulseaudio -D -n \
            --system=false --exit-idle-time=-1 --disallow-exit \
            --realtime=false --high-priority=false \
            --log-target="newfile:$STATE/pulseaudio.log" \
            --load=module-native-protocol-unix
        touch "$STATE/started-daemon"
        for _ in $(seq 100); do server_up && break; sleep 0.05; done
        if ! server_up; then
            log "PulseAudio did not come up; log:"
            cat "$STATE/pulseaudio.log" >&2 || true
            exit 1
        fi
        log "started PulseAudio ($(pactl info | sed -n 's/^Server String: //p'))"
    fi

    have_sink speaker || load module-null-sink sink_name=speaker rate="$RATE" \
        sink_properties=device.description=Presence-Speaker
    have_sink micsink || load module-null-sink sink_name=micsink rate="$RATE" \
        sink_properties=device.description=Presence-Mic-Input
    have_source mic || load module-remap-source master=micsink.monitor source_name=mic \
        source_properties=device.description=Presence-Mic
    pactl set-default-sink speaker
    pactl set-default-source mic

    # keep-alive silence into each sink so the monitors are clocked, at a low latency
    local sink pid
    for sink in speaker micsink; do
        if [ -f "$STATE/keepalive-$sink.pid" ] && running "$(cat "$STATE/keepalive-$sink.pid")"; then
            continue
        fi
        pacat --playback --device="$sink" --raw --format=s16le --rate="$RATE" --channels=2 \
            --latency-msec="$KEEPALIVE_MS" --process-time-msec="$((KEEPALIVE_MS / 2))" \
            --client-name="presence-keepalive-$sink" --stream-name=keepalive /dev/zero \
            </dev/null >/dev/null 2>&1 &
        pid=$!
        echo "$pid" >"$STATE/keepalive-$sink.pid"
    done
    # wait until both keep-alive streams play
    for _ in $(seq 100); do
        [ "$(pactl list short sink-inputs 2>/dev/null | grep -c protocol-native)" -ge 2 ] && break
        sleep 0.05
    done
    # A new null sink first renders ~2 s ahead of the clock before it adopts the keep-alive's
    # latency; audio played or recorded in that window arrives up to 2 s late. Wait it out.
    local lat=0
    for _ in $(seq 100); do
        lat=$(max_sink_latency_us)
        [ "$lat" -lt 100000 ] && break
        sleep 0.1
    done
    if [ "$lat" -ge 100000 ]; then
        log "WARNING: sink latency still ${lat} us; audio may arrive late"
    fi

    if ! alsa_routes_to_pulse; then
        if [ -e "$HOME/.asoundrc" ]; then
            log "WARNING: ALSA default may not route to PulseAudio and $HOME/.asoundrc exists; not touching it"
        else
            log "routing ALSA default to PulseAudio in $HOME/.asoundrc"
            printf 'pcm.!default { type pulse }\nctl.!default { type pulse }\n' >"$HOME/.asoundrc"
            touch "$STATE/wrote-asoundrc"
        fi
    fi
    log "default sink $(pactl get-default-sink), default source $(pactl get-default-source)"
}

stop() {
    local f pid
    for f in "$STATE"/keepalive-*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null || true
        rm -f "$f"
    done
    if [ -f "$STATE/started-daemon" ]; then
        # --disallow-exit refuses `pactl exit`; -k signals the daemon by its pid file
        pulseaudio -k >/dev/null 2>&1 || true
        for _ in $(seq 60); do server_up || break; sleep 0.05; done
        if server_up; then log "WARNING: PulseAudio still answers after pulseaudio -k"; fi
        rm -f "$STATE/started-daemon"
    elif [ -f "$STATE/modules" ]; then
        # reused someone else's server: unload only our modules, newest first
        tac "$STATE/modules" | while read -r idx; do pactl unload-module "$idx" 2>/dev/null || true; done
    fi
    rm -f "$STATE/modules"
    if [ -f "$STATE/wrote-asoundrc" ]; then
        rm -f "$HOME/.asoundrc" "$STATE/wrote-asoundrc"
    fi
}

status() {
    need pactl
    if ! server_up; then echo "no PulseAudio server"; exit 1; fi
    pactl info | grep -E '^(Server String|Default Sink|Default Source):'
    echo "sinks:";        pactl list short sinks
    echo "sources:";      pactl list short sources
    echo "sink inputs:";  pactl list short sink-inputs
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
