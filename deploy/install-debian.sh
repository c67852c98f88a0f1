#!/usr/bin/env bash
# Installs BaluHost on Debian 12 from this checkout: system packages, the system user, /var/lib/baluhost,
# PostgreSQL database and user, /etc/baluhost/baluhost.env, the systemd unit and the nginx site.
# Run as root from the repository: sudo deploy/install-debian.sh [--smb] [--domain nas.example.org]
# It is idempotent: a second run keeps the database password, the env file and the site already in place.
# docs/install-debian.md explains every step and what to do afterwards (certificate, first admin, backups).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=/opt/baluhost
DATA=/var/lib/baluhost
ETC=/etc/baluhost
DOMAIN=nas.example.org
SMB=false

while (($# > 0)); do
  case "$1" in
    --smb) SMB=true ;;
    --domain) DOMAIN=${2:?--domain needs a name}; shift ;;
    -h | --help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

[[ $(id -u) -eq 0 ]] || { echo "Run as root (sudo $0)." >&2; exit 1; }

# Node.js 20 or later. Debian 12's own nodejs package is 18, which BaluHost does not support; install Node 20
# from NodeSource (or any other source of your choice) first.
if ! command -v node > /dev/null 2>&1 || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "BaluHost needs Node.js 20 or later at /usr/bin/node; found: $(node --version 2>/dev/null || echo none)." >&2
  echo "Install it from NodeSource, for example:" >&2
  echo "  curl -fsSL https://deb.nodesource.com/setup_20.x -o nodesource_setup.sh" >&2
  echo "  less nodesource_setup.sh && bash nodesource_setup.sh && apt-get install -y nodejs" >&2
  exit 1
fi
[[ -x /usr/bin/node ]] || { echo "The unit runs /usr/bin/node; link or install Node there." >&2; exit 1; }
echo "Node $(node --version)"

export DEBIAN_FRONTEND=noninteractive
packages=(postgresql nginx openssl ca-certificates)
[[ $SMB == true ]] && packages+=(samba)
apt-get update -qq
apt-get install -y -qq "${packages[@]}" > /dev/null
echo "Installed: ${packages[*]}"

# The system user the service runs as (without SMB), owning the data dir.
if ! id baluhost > /dev/null 2>&1; then
  useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin baluhost
fi
install -d -m 0750 -o baluhost -g baluhost "$DATA"
install -d -m 0750 -o root -g baluhost "$ETC"

# The code: build in the checkout, then copy what runs (the workspaces' dist/, bin/, package files, node_modules).
echo "Building in $SRC"
(cd "$SRC" && npm ci && npm run build && npm prune --omit=dev)
install -d -m 0755 "$PREFIX"
cp -a "$SRC/." "$PREFIX/"
rm -rf "$PREFIX/.git"

# PostgreSQL: a role and a database owned by it, with a generated password kept in the env file.
if [[ ! -f $ETC/baluhost.env ]]; then
  password=$(openssl rand -hex 24)
  if runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'baluhost'" | grep -q 1; then
    runuser -u postgres -- psql -q -c "ALTER ROLE baluhost WITH LOGIN PASSWORD '$password'"
  else
    runuser -u postgres -- psql -q -c "CREATE ROLE baluhost WITH LOGIN PASSWORD '$password'"
  fi
  if ! runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'baluhost'" | grep -q 1; then
    runuser -u postgres -- createdb -O baluhost baluhost
  fi
  sed -e "s#^DATABASE_URL=.*#DATABASE_URL=postgres://baluhost:$password@127.0.0.1:5432/baluhost#" \
    -e "s#^BALUHOST_SMB_ENABLED=.*#BALUHOST_SMB_ENABLED=$SMB#" \
    "$SRC/deploy/baluhost.env.example" > "$ETC/baluhost.env"
  chown root:baluhost "$ETC/baluhost.env"
  chmod 0640 "$ETC/baluhost.env"
  echo "Wrote $ETC/baluhost.env (database password generated)."
else
  echo "Kept $ETC/baluhost.env."
fi

# systemd: the unit, plus the root drop-in when SMB is wanted.
install -m 0644 "$SRC/deploy/systemd/baluhost.service" /etc/systemd/system/baluhost.service
if [[ $SMB == true ]]; then
  install -d -m 0755 /etc/systemd/system/baluhost.service.d
  install -m 0644 "$SRC/deploy/systemd/baluhost.service.d/smb.conf" /etc/systemd/system/baluhost.service.d/smb.conf
  # BaluHost runs its own smbd; Debian's would hold port 445.
  systemctl disable --now smbd nmbd > /dev/null 2>&1 || true
fi
systemctl daemon-reload
systemctl enable baluhost > /dev/null

# nginx: the site with the domain filled in. The certificate paths stay Let's Encrypt's; until a certificate
# exists, nginx -t fails and the site is left disabled.
if [[ ! -f /etc/nginx/sites-available/baluhost ]]; then
  sed "s/nas\.example\.org/$DOMAIN/g" "$SRC/deploy/nginx/baluhost.conf" > /etc/nginx/sites-available/baluhost
fi
ln -sf /etc/nginx/sites-available/baluhost /etc/nginx/sites-enabled/baluhost
if nginx -t > /dev/null 2>&1; then
  systemctl reload nginx
  echo "nginx site enabled for $DOMAIN."
else
  rm -f /etc/nginx/sites-enabled/baluhost
  echo "nginx site installed but not enabled: get a certificate for $DOMAIN first (docs/install-debian.md)."
fi

systemctl restart baluhost
echo "BaluHost started. The first admin's password is in: journalctl -u baluhost | grep -A3 'first start'"
