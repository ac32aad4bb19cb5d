#!/usr/bin/env bash
# The README's test command: sets up a fresh machine and runs every test.
#   Debian packages: Dovecot (IMAP + LMTP) for the IMAP tests, Chromium for the editor checks (as root, via apt);
#   npm install; build; lint (n8n's community-node rules + type check); unit, integration and workflow tests;
#   end-to-end tests in a real n8n (installs the pinned n8n 2.8.4 into .n8n-runtime/ on first use).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
[ -e /usr/lib/dovecot/lmtp ] || need+=(dovecot-lmtpd)
[ -x /usr/bin/chromium ] || need+=(chromium fonts-liberation)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "Installing Debian packages: ${need[*]}"
		# keep the packages' own services from starting (our tests run private instances)
		policy=/usr/sbin/policy-rc.d; own_policy=0
		if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; own_policy=1; fi
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
		[ "$own_policy" = 1 ] && rm -f "$policy"
	else
		echo "Missing Debian packages: ${need[*]}. Install them with: sudo apt-get install ${need[*]}" >&2
		exit 1
	fi
fi

# `npm install`, not `npm ci`: the lock lists eslint-import-resolver-typescript's native bindings for this platform
# only (the registry here serves no others), which `npm ci` rejects as out of sync; install keeps the locked versions.
npm install --no-audit --no-fund
npm run build
npm run lint
results=$(mktemp -d)
npm test -- --json --outputFile="$results/main.json"
npm run test:e2e -- --json --outputFile="$results/e2e.json"
# One closing line for CI over both runs.
node -e '
const r = process.argv.slice(1).map((f) => require(f));
const sum = (k) => r.reduce((n, x) => n + x[k], 0);
console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);
' "$results/main.json" "$results/e2e.json"
