#!/bin/sh
# Installs the Debian packages ferry's build and tests need, when run as root.
# As another user it only reports what is missing, so `make` never needs sudo.
set -eu
pkgs="gcc make pkg-config clang libedit-dev libyaml-dev libnl-3-dev libnl-route-3-dev
      libnftables-dev nftables libssl-dev libzstd-dev liblz4-dev iproute2 kmod
      user-mode-linux iperf3 tshark procps psmisc tmux iputils-ping jq libclang-rt-dev time"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages:$missing (run 'make deps' as root)" >&2
    exit 0
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer does not matter here.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
