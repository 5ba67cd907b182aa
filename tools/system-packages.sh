#!/usr/bin/env bash
# Makes sure the system packages of tools/system-packages.txt are there: installs the missing ones
# when it can (root with apt-get), else stops naming the one command to run. Usage: [run|test].
# Called by the Makefile before it builds the venv, and by .ci/run before `make` (which may be missing).
set -euo pipefail

need=${1:-test}
case $need in
  run) groups='^run$' ;;
  test) groups='^(run|test)$' ;;
  *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac
list="$(dirname "$0")/system-packages.txt"
mapfile -t wanted < <(awk -v groups="$groups" '!/^[[:space:]]*(#|$)/ && $1 ~ groups { print $2 }' "$list")

if ! command -v dpkg-query >/dev/null 2>&1; then
  # Not Debian: package names mean nothing here, so check the programs the steps run.
  programs=(python3)
  [[ $need == test ]] && programs+=(soffice pdftotext pdftoppm objdump icupkg gcc)
  missing=()
  for program in "${programs[@]}"; do
    command -v "$program" >/dev/null 2>&1 || missing+=("$program")
  done
  if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    missing+=("python3's venv module (with ensurepip)")
  fi
  if ((${#missing[@]})); then
    echo "Missing: ${missing[*]}." >&2
    echo "Install them with your system's package manager (on Debian/Ubuntu: $list)." >&2
    exit 1
  fi
  exit 0
fi

# What is installed, and every name an installed package provides (a renamed library such as
# Ubuntu's libglib2.0-0t64 provides the old name), in one dpkg-query run.
declare -A have=()
while IFS=$'\t' read -r status package provides; do
  [[ $status == ii* ]] || continue
  have[$package]=1
  IFS=',' read -ra names <<<"$provides"
  for name in "${names[@]}"; do
    name=${name%%(*}
    name=${name// /}
    [[ -n $name ]] && have[$name]=1
  done
done < <(dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Provides}\n')

missing=()
for package in "${wanted[@]}"; do
  [[ -n ${have[$package]:-} ]] || missing+=("$package")
done
((${#missing[@]})) || exit 0

install=(apt-get install -y --no-install-recommends "${missing[@]}")
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing the missing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${install[@]}" -qq >/dev/null
  exit 0
fi
echo "Missing system packages: ${missing[*]}" >&2
echo "Install them with this one command, then run make again:" >&2
echo "    sudo ${install[*]}" >&2
exit 1
