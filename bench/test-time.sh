#!/usr/bin/env bash
# The wall time of `npm test` (lint, typecheck, unit and integration tests, e2e), and of each of
# its steps. The steps are read from the root package.json's `test` script (`a && b && …`) and run
# one after the other from the repository root, stopping at the first that fails, as `npm test`
# does; each step's output goes to a log file, and the end of it is shown when the step fails.
#
#   bash bench/test-time.sh                    # each step timed, then the total
#   bash bench/test-time.sh --whole            # `npm test` itself, timed as one command
#   npm run bench:test-time --workspace bench  # the same as the first
#
# It takes the machine for several minutes (about 8 on 2 cores): run it on an otherwise idle one.
# Exits with the status of the step that failed, else 0.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

whole=false
case "${1:-}" in
  '') ;;
  --whole) whole=true ;;
  *)
    echo "usage: bash bench/test-time.sh [--whole]" >&2
    exit 2
    ;;
esac

log_dir="$(mktemp -d "${TMPDIR:-/tmp}/cliprelay-test-time-XXXXXX")"
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
load() { cut -d' ' -f1 /proc/loadavg; }

echo "npm test timing on $(nproc) cores, Node $(node --version), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average $(load) at the start; logs in $log_dir"

if $whole; then
  steps=('npm test')
else
  # `npm run lint && npm run typecheck && …` → one step per command.
  mapfile -t steps < <(node -p "require('./package.json').scripts.test.split('&&').map((s) => s.trim()).join('\n')")
fi

status=0
started="$(now)"
for i in "${!steps[@]}"; do
  step="${steps[$i]}"
  log="$log_dir/$((i + 1))-${step//[^a-zA-Z0-9]/_}.log"
  begin="$(now)"
  if bash -c "$step" >"$log" 2>&1; then result=ok; else status=$?; result="FAILED (exit $status)"; fi
  printf '  %-24s %7s s  %s\n' "$step" "$(seconds "$begin" "$(now)")" "$result"
  if [ "$status" -ne 0 ]; then
    echo "--- the end of $log:"
    tail -n 30 "$log"
    break
  fi
done
printf '  %-24s %7s s  (load average %s at the end)\n' 'total' "$(seconds "$started" "$(now)")" "$(load)"
exit "$status"
