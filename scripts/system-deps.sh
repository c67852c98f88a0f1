#!/usr/bin/env bash
# The system packages BaluHost's test suites need. `npm test` runs this first.
# As root on Debian it installs what is missing with apt-get; otherwise it stops and prints the one command to run.
set -euo pipefail

# command or file that proves the package is there -> Debian package
declare -A NEEDS=(
  [chromium]=chromium
  [smbd]=samba
  [smbclient]=smbclient
  [litmus]=litmus
  [rclone]=rclone
  [fusermount3]=fuse3
  [/usr/lib/x86_64-linux-gnu/libnss_wrapper.so]=libnss-wrapper
  [promtool]=prometheus
  [cadaver]=cadaver
  [curl]=curl
  [/usr/sbin/apache2]=apache2
  [htpasswd]=apache2-utils
  [/usr/sbin/nginx]=nginx-extras
  [wrk]=wrk
  [systemd-analyze]=systemd
  [openssl]=openssl
  [/usr/sbin/ip]=iproute2
  [/usr/sbin/wsdd]=wsdd
)

missing=()
for probe in "${!NEEDS[@]}"; do
  if [[ "$probe" == /usr/sbin/* ]]; then
    # Daemon binary outside a normal user's PATH.
    [[ -x "$probe" ]] || missing+=("${NEEDS[$probe]}")
  elif [[ "$probe" == /* ]]; then
    # Library: look in any multiarch dir.
    compgen -G "/usr/lib/*/$(basename "$probe")" > /dev/null || missing+=("${NEEDS[$probe]}")
  else
    command -v "$probe" > /dev/null 2>&1 || missing+=("${NEEDS[$probe]}")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null 2>&1; then
  echo "Installing system packages the tests need: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" > /dev/null
  echo "Installed: ${missing[*]}"
  exit 0
fi

echo "The tests need these system packages: ${missing[*]}" >&2
echo "Install them with:" >&2
echo "  sudo apt-get install -y ${missing[*]}" >&2
exit 1
