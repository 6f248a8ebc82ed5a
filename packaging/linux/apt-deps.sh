#!/usr/bin/env bash
# Installs the Debian packages that presence needs at run time and in tests.
# Idempotent: asks dpkg which packages are missing and does nothing when none are.
# As root it installs them with apt-get; otherwise it prints the sudo command and fails.
#   packaging/linux/apt-deps.sh            install what is missing
#   packaging/linux/apt-deps.sh --check    only report (exit 1 when something is missing)
#   packaging/linux/apt-deps.sh --list     print the package list
set -euo pipefail

PACKAGES=(
    # audio: PortAudio for sounddevice, espeak-ng for test speech,
    # a user-mode PulseAudio with virtual devices, ALSA default -> PulseAudio
    libportaudio2 espeak-ng pulseaudio pulseaudio-utils libasound2-plugins
    # desktop under test: virtual X server, tray host, input injection, X tools
    xvfb xauth xdotool trayer x11-utils imagemagick desktop-file-utils
    # build of llama-cpp-python
    cmake
    # `make package`: PyInstaller reads binaries with objdump
    binutils
    # libraries of Qt's xcb platform plugin
    libegl1 libgl1 libfontconfig1 libglib2.0-0 libdbus-1-3 libx11-xcb1 libxkbcommon-x11-0
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
    libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxcb-xkb1
)

mode=install
case "${1:-}" in
    --check) mode=check ;;
    --list) printf '%s\n' "${PACKAGES[@]}"; exit 0 ;;
    "") ;;
    *) echo "usage: $0 [--check|--list]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "apt-deps: dpkg-query not found; this script is for Debian/Ubuntu." >&2
    echo "apt-deps: install the equivalents of: ${PACKAGES[*]}" >&2
    exit 1
fi

# one dpkg-query for all packages; unknown ones print nothing (and an error we drop)
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! grep -qx "$pkg installed" <<<"$installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "apt-deps: missing Debian packages: ${missing[*]}"
if [ "$mode" = check ]; then
    exit 1
fi

install_cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "apt-deps: not root; please run:" >&2
    echo "    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive $install_cmd" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
