#!/usr/bin/env bash
# The README's test command: sets up a fresh machine and runs every test.
#   Debian packages: Dovecot (IMAP + LMTP + submission) for the IMAP and OAuth2 mail tests, Chromium for the editor
#   checks, PostgreSQL for n8n's engine v2 (as root, via apt);
#   npm ci; build; lint (n8n's community-node rules + type check); unit, integration and workflow tests;
#   end-to-end tests in a real n8n, once per pinned n8n version (scripts/lib/n8n-versions.js: the oldest supported
#   and the latest, each installed into .n8n-runtime/ on first use); the queue-mode end-to-end tests (PostgreSQL,
#   Redis, main, two workers, a webhook processor) on the latest.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
[ -e /usr/lib/dovecot/lmtp ] || need+=(dovecot-lmtpd)
# the SMTP submission service of the OAuth2 mail server (test/harness/oauth-mail.ts)
[ -x /usr/lib/dovecot/submission ] || need+=(dovecot-submissiond)
[ -x /usr/bin/chromium ] || need+=(chromium fonts-liberation)
# PostgreSQL: the data plane of n8n's opt-in engine v2 in the CRM Delay e2e (a private instance, never the service)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
# Redis: the queue of n8n's queue mode (a private instance too)
[ -x /usr/bin/redis-server ] || need+=(redis-server)
# Postfix: the real MTA whose delivery reports the bounce tests read (a private instance too)
[ -x /usr/sbin/postfix ] || need+=(postfix)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "Installing Debian packages: ${need[*]}"
		# keep the packages' own services from starting (our tests run private instances)
		policy=/usr/sbin/policy-rc.d; own_policy=0
		if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; own_policy=1; fi
		apt-get update -qq
		# postfix asks for a mail setup; the tests configure their own instance
		echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
		[ "$own_policy" = 1 ] && rm -f "$policy"
	else
		echo "Missing Debian packages: ${need[*]}. Install them with: sudo apt-get install ${need[*]}" >&2
		exit 1
	fi
fi

# the lock is complete (every platform's optional bindings): a clean install of exactly what it lists
npm ci --no-audit --no-fund
results=$(mktemp -d)
status=0
versions=$(node -p "Object.keys(require('./scripts/lib/n8n-versions').PINNED).join(' ')")
# Each pinned n8n installs in the background while the build, lint and unit tests run (installing is mostly download
# and unpack), one installer per version; each version's end-to-end tests wait for their own.
declare -A installer=()
for version in $versions; do
	node scripts/install-n8n.js "$version" > "$results/install-n8n-$version.log" 2>&1 &
	installer[$version]=$!
done
npm run build
npm run lint
npm test -- --json --outputFile="$results/main.json" || status=1
# one pack for every version: the same tarball a user installs
pack=$(mktemp -d)
export CRM_MAIL_TARBALL="$pack/$(npm pack --silent --pack-destination "$pack" | tail -n 1)"
for version in $versions; do
	if ! wait "${installer[$version]}"; then
		echo "Installing n8n $version in the background failed (the tests install again and say why):"
		cat "$results/install-n8n-$version.log"
	fi
	echo "End-to-end tests in n8n $version"
	CRM_MAIL_N8N_VERSION=$version npm run test:e2e -- --json --outputFile="$results/e2e-$version.json" || status=1
done
latest=$(node -p "require('./scripts/lib/n8n-versions').LATEST")
echo "Queue-mode end-to-end tests in n8n $latest"
CRM_MAIL_N8N_VERSION=$latest npm run test:queue -- --json --outputFile="$results/queue.json" || status=1
# One closing line for CI over every run.
node -e '
const path = require("node:path");
const runs = process.argv.slice(1).filter((f) => require("node:fs").existsSync(f)).map((f) => ({ name: path.basename(f, ".json"), r: require(f) }));
const sum = (k) => runs.reduce((n, x) => n + x.r[k], 0);
const parts = runs.map((x) => `${x.name.replace(/^e2e-/, "e2e n8n ").replace(/^queue$/, "queue mode")} ${x.r.numPassedTests}/${x.r.numTotalTests}`);
console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed (${parts.join("; ")})`);
' "$results/main.json" $(for v in $versions; do echo "$results/e2e-$v.json"; done) "$results/queue.json"
exit $status
