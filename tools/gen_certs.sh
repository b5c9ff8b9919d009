#!/usr/bin/env bash
# Makes a CA and certificates for the services, with the openssl CLI: what
# the demo, the deploy check and the TLS tests use, and a start for a set-up
# without cert-manager.
#
#   tools/gen_certs.sh [--ca NAME] [--days N] [--san NAME]... DIR NAME...
#
# DIR/<ca>.pem and DIR/<ca>.key (default ca) are made unless they exist; each
# NAME gets DIR/NAME.pem and DIR/NAME.key, signed by that CA, valid for both
# server and client authentication, with DNS:NAME, DNS:localhost,
# IP:127.0.0.1 and each --san as subject alternative names. --days -1 makes
# a certificate that has already expired. Keys are EC P-256, files 0600.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

ca=ca
days=365
sans=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ca) ca="$2"; shift 2 ;;
    --days) days="$2"; shift 2 ;;
    --san) sans+=("$2"); shift 2 ;;
    -h|--help) usage ;;
    --*) echo "gen_certs.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || usage
dir="$1"; shift
mkdir -p "$dir"
umask 077

if [ ! -s "$dir/$ca.pem" ] || [ ! -s "$dir/$ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/$ca.key" -out "$dir/$ca.pem" -days 3650 \
    -subj "/CN=transfer tracker $ca" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for name in "$@"; do
  alt="DNS:$name,DNS:localhost,IP:127.0.0.1"
  for s in "${sans[@]+"${sans[@]}"}"; do
    # A dotted quad is an address; anything else a name.
    if [[ "$s" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then alt="$alt,IP:$s"; else alt="$alt,DNS:$s"; fi
  done
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n' \
    "$alt" > "$work/ext.cnf"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/$name.key.new" -out "$work/$name.csr" -subj "/CN=$name" 2>/dev/null
  openssl x509 -req -in "$work/$name.csr" -CA "$dir/$ca.pem" -CAkey "$dir/$ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -extfile "$work/ext.cnf" \
    -out "$dir/$name.pem.new" 2>/dev/null
  # Both renamed at the end: a reader never sees a new key with an old cert
  # for long (services re-read them periodically and check they match).
  mv "$dir/$name.key.new" "$dir/$name.key"
  mv "$dir/$name.pem.new" "$dir/$name.pem"
done
