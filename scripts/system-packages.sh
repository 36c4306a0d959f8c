#!/usr/bin/env bash
# The Debian packages `npm test` needs besides Node: chromium (browser tests drive /usr/bin/chromium) and Apache
# with mod_auth_openidc (an independent OpenID Connect relying party for the interop suite). `npm test` runs this
# first (`pretest`) and `.ci/run` runs it too, so a fresh machine either gets them installed or stops here, in
# the first second, with the one command to run, instead of failing eight tests deep.
#
# As root with apt-get it installs what is missing, with a policy-rc.d that refuses every service start
# (apache2 would otherwise start and take port 80). Otherwise it prints the command and exits 1.
#
# LATCHKEY_TEST_CHROMIUM, LATCHKEY_TEST_APACHE and LATCHKEY_TEST_MOD_AUTH_OPENIDC override the paths it checks,
# and LATCHKEY_TEST_POLICY_RC_D where it writes policy-rc.d: its own test (scripts/test/) points them at a
# scratch directory, with stand-ins for id and apt-get.
set -euo pipefail

chromium=${LATCHKEY_TEST_CHROMIUM:-/usr/bin/chromium}
apache=${LATCHKEY_TEST_APACHE:-/usr/sbin/apache2}
mod_auth_openidc=${LATCHKEY_TEST_MOD_AUTH_OPENIDC:-/usr/lib/apache2/modules/mod_auth_openidc.so}
policy_rc_d=${LATCHKEY_TEST_POLICY_RC_D:-/usr/sbin/policy-rc.d}

missing_packages() {
  local missing=()
  [ -x "$chromium" ] || missing+=(chromium)
  [ -x "$apache" ] || missing+=(apache2)
  [ -f "$mod_auth_openidc" ] || missing+=(libapache2-mod-auth-openidc)
  [ ${#missing[@]} -eq 0 ] || printf '%s\n' "${missing[@]}"
}

mapfile -t missing < <(missing_packages)
[ ${#missing[@]} -eq 0 ] && exit 0

# Only builtins from here to the message (and `id`): the check must work on a bare PATH.
source_path=${BASH_SOURCE[0]}
[[ $source_path == */* ]] || source_path=./$source_path
script=$(cd "${source_path%/*}" && pwd)/${source_path##*/}

if [ "$(id -u 2>/dev/null || echo "$EUID")" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  {
    printf 'npm test needs Debian packages this machine lacks: %s\n' "${missing[*]}"
    printf '(browser tests run %s; the interop suite runs %s with %s).\n' "$chromium" "$apache" "$mod_auth_openidc"
    if command -v apt-get >/dev/null 2>&1; then
      printf 'Install them (as root, without starting apache2), then run npm test again:\n\n'
      if command -v sudo >/dev/null 2>&1; then
        printf '  sudo bash %q\n\n' "$script"
      else
        printf "  su -c 'bash %q'\n\n" "$script"
      fi
    else
      printf 'This machine has no apt-get: install Chromium and Apache httpd with mod_auth_openidc at those paths, then run npm test again.\n'
    fi
  } >&2
  exit 1
fi

printf 'installing the Debian packages the tests need: %s\n' "${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages must not start their services (apache2 would take port 80): policy-rc.d refuses every start.
printf '#!/bin/sh\nexit 101\n' > "$policy_rc_d" && chmod +x "$policy_rc_d"
trap 'rm -f "$policy_rc_d"' EXIT
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
rm -f "$policy_rc_d"

mapfile -t still_missing < <(missing_packages)
if [ ${#still_missing[@]} -gt 0 ]; then
  printf 'installed, but still missing: %s (looked at %s, %s, %s)\n' "${still_missing[*]}" "$chromium" "$apache" "$mod_auth_openidc" >&2
  exit 1
fi
