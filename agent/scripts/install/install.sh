#!/bin/sh
# Outpost agent installer for Linux and macOS (docs/AGENT-INSTALL.md, "One-line install"), served
# by the relay at /v1/agent/install.sh. It downloads the agent from the relay, checks the archive's
# SHA-256 against the one the relay sends with it, writes the agent config with a one-time
# enrollment token, and installs the agent as a service:
#
#   curl -fsSL https://relay.example.com/v1/agent/install.sh | sudo sh -s -- \
#     --relay https://relay.example.com --token opt_... [--root-fingerprint SHA256:...] [--device-id ID]
#
# The relay prints this line with each token (outpost-relay enroll-token create).
set -eu

usage() {
  cat <<'USAGE'
usage: install.sh --relay URL --token TOKEN [options]

  --relay URL                 the relay's http(s):// address, without a path
  --token TOKEN               a one-time enrollment token (outpost-relay enroll-token create)
  --root-fingerprint SHA256:… the fleet's root key fingerprint the agent pins
  --device-id ID              the device ID the token was made for (a reinstalled machine)
  --prefix DIR                where the agent's two files go (default /opt/outpost-agent)
  --config FILE               the agent config to write (default /etc/outpost/agent.toml)
  --data DIR                  the agent's data folder (default /var/lib/outpost-agent)
  --user NAME                 the service's user on Linux (default outpost-agent)
  --no-service                install and configure only; start nothing
USAGE
}

say() { printf 'outpost-agent install: %s\n' "$*" >&2; }
fail() {
  say "$*"
  exit 1
}

relay=""
token=""
fingerprint=""
device_id=""
prefix="/opt/outpost-agent"
config="/etc/outpost/agent.toml"
data="/var/lib/outpost-agent"
service_user=""
service="yes"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-service) service="no"; shift; continue ;;
    -h | --help) usage; exit 0 ;;
    --relay | --token | --root-fingerprint | --device-id | --prefix | --config | --data | --user)
      [ $# -ge 2 ] || fail "$1 needs a value (see --help)" ;;
    *) fail "unknown option $1 (see --help)" ;;
  esac
  case "$1" in
    --relay) relay=$2 ;;
    --token) token=$2 ;;
    --root-fingerprint) fingerprint=$2 ;;
    --device-id) device_id=$2 ;;
    --prefix) prefix=$2 ;;
    --config) config=$2 ;;
    --data) data=$2 ;;
    --user) service_user=$2 ;;
  esac
  shift 2
done

# Everything that goes into the config file is checked first: no quote, backslash or new line can
# reach the TOML.
relay=${relay%/}
case "$relay" in
  http://?* | https://?*) ;;
  *) fail "--relay: expected the relay's http:// or https:// address, received '$relay'" ;;
esac
case "${relay#*://}" in
  */* | *[!A-Za-z0-9.:\[\]_-]*) fail "--relay: expected an address without a path, received '$relay'" ;;
esac
case "$token" in
  "") fail "--token is required: a one-time enrollment token (outpost-relay enroll-token create)" ;;
  *[!A-Za-z0-9_-]*) fail "--token: expected a token such as opt_..., received '$token'" ;;
esac
if [ -n "$fingerprint" ]; then
  case "$fingerprint" in
    SHA256:*[!A-Za-z0-9_-]* | SHA256:) fail "--root-fingerprint: expected SHA256:… (43 characters of base64url)" ;;
    SHA256:*) [ ${#fingerprint} -eq 50 ] || fail "--root-fingerprint: expected SHA256:… (43 characters of base64url)" ;;
    *) fail "--root-fingerprint: expected SHA256:…, received '$fingerprint'" ;;
  esac
fi
if [ -n "$device_id" ]; then
  case "$device_id" in
    [!A-Za-z0-9]* | *[!A-Za-z0-9._-]*) fail "--device-id: expected 1-64 of [A-Za-z0-9._-], starting with a letter or digit" ;;
  esac
  [ ${#device_id} -le 64 ] || fail "--device-id: at most 64 characters"
fi
for path in "$prefix" "$config" "$data"; do
  case "$path" in
    /*) ;;
    *) fail "expected an absolute path, received '$path'" ;;
  esac
  case "$path" in
    *'"'* | *\\* | *"
"*) fail "a path may not hold a quote, a backslash or a new line: '$path'" ;;
  esac
done
if [ "$service" = "yes" ] && [ "$(id -u)" != "0" ]; then
  fail "installing the service needs root: run it with sudo (or pass --no-service)"
fi

command -v node >/dev/null 2>&1 ||
  fail "Node.js 20 or later is needed, installed for the whole system (see docs/AGENT-INSTALL.md)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "Node.js 20 or later is needed; this is $(node --version)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/outpost-agent-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

say "downloading the agent from $relay"
if command -v curl >/dev/null 2>&1; then
  curl -fsS -D "$tmp/headers" -o "$tmp/bundle.tar.gz" "$relay/v1/agent/bundle" ||
    fail "cannot download $relay/v1/agent/bundle"
elif command -v wget >/dev/null 2>&1; then
  wget -q -S -O "$tmp/bundle.tar.gz" "$relay/v1/agent/bundle" 2>"$tmp/headers" ||
    fail "cannot download $relay/v1/agent/bundle"
else
  fail "curl or wget is needed to download the agent"
fi
expected=$(tr 'A-Z' 'a-z' <"$tmp/headers" |
  sed -n 's/^ *x-outpost-sha256: *\([0-9a-f]\{64\}\).*$/\1/p' | tail -n 1)
[ -n "$expected" ] || fail "the relay sent the agent without its SHA-256 (x-outpost-sha256); is $relay an Outpost relay?"
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$tmp/bundle.tar.gz" | cut -d ' ' -f 1)
elif command -v shasum >/dev/null 2>&1; then
  actual=$(shasum -a 256 "$tmp/bundle.tar.gz" | cut -d ' ' -f 1)
else
  actual=$(openssl dgst -sha256 -r "$tmp/bundle.tar.gz" | cut -d ' ' -f 1)
fi
[ "$actual" = "$expected" ] ||
  fail "the download is damaged: its SHA-256 is $actual, the relay said $expected; nothing was installed"

mkdir -p "$tmp/unpacked"
tar -xzf "$tmp/bundle.tar.gz" -C "$tmp/unpacked"
for file in outpost-agent.mjs automerge_wasm_bg.wasm; do
  [ -f "$tmp/unpacked/$file" ] || fail "the agent archive has no $file"
done
mkdir -p "$prefix"
# Each file is replaced whole (copied beside it, then renamed), so an agent running from the
# folder never sees half a file.
for file in automerge_wasm_bg.wasm outpost-agent.mjs; do
  cp "$tmp/unpacked/$file" "$prefix/$file.new"
  mv -f "$prefix/$file.new" "$prefix/$file"
done
chmod 755 "$prefix/outpost-agent.mjs"
say "installed the agent in $prefix"

mkdir -p "$(dirname "$config")"
if [ -f "$config" ]; then
  cp -p "$config" "$config.previous"
  say "kept the previous config as $config.previous"
fi
(
  umask 077
  {
    printf '# Written by the Outpost install script from %s on %s.\n' "$relay" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf '# Once the agent has enrolled, its device token is in the data folder and the\n'
    printf '# enrollment_token line does nothing more.\n'
    printf 'relay_url = "%s"\n' "$relay"
    printf 'enrollment_token = "%s"\n' "$token"
    [ -z "$fingerprint" ] || printf 'root_key_fingerprint = "%s"\n' "$fingerprint"
    [ -z "$device_id" ] || printf 'device_id = "%s"\n' "$device_id"
    printf 'data = "%s"\n' "$data"
  } >"$config.new"
)
mv -f "$config.new" "$config"
node "$prefix/outpost-agent.mjs" config check "$config" >/dev/null
say "wrote $config"
if [ -n "$fingerprint" ]; then
  say "the agent pins the fleet's root key $fingerprint: it must be the one your admin gave you"
fi

if [ "$service" = "no" ]; then
  say "no service installed (--no-service); run the agent with: node $prefix/outpost-agent.mjs run --config $config"
  exit 0
fi
if [ -n "$service_user" ]; then
  node "$prefix/outpost-agent.mjs" service install --config "$config" --user "$service_user"
else
  node "$prefix/outpost-agent.mjs" service install --config "$config"
fi
say "done: the agent enrolls with $relay on its first start"
