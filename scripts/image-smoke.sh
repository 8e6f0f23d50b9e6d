#!/usr/bin/env bash
# Performs the Dockerfile's build and start steps outside a container (no image registry is
# reachable here, so no `docker build`), on a scratch copy of the build context, then checks
# /readyz with the image's own HEALTHCHECK command and stops Esc with SIGTERM as `docker stop`
# would. What it does NOT exercise: the node:22-slim base image, the `node` user, Docker's
# HEALTHCHECK scheduler and compose.yaml's MongoDB 7 replica set (it uses MONGODB_URI or the
# local FerretDB).
# Usage: bash scripts/image-smoke.sh     (CI: .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
if [ -z "${MONGODB_URI:-}" ]; then
  exec node scripts/with-db.mjs bash "$root/scripts/image-smoke.sh"
fi
export npm_config_yes=true npm_config_fund=false npm_config_audit=false
say() { echo "[image-smoke] $*" >&2; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/esc-image-XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT
t0=$(date +%s)

# The build context: the repository's files less .dockerignore (tracked and new files alike).
mkdir -p "$scratch/context"
git ls-files -co --exclude-standard -z | grep -zv -E '^(node_modules|dist|\.esc-data|test-artifacts|\.git)/' | xargs -0 cp --parents -t "$scratch/context" 2>/dev/null || true

# Stage "deps" (production dependencies only) runs alongside stage "build" (npm ci, npm run build),
# as BuildKit runs independent stages.
mkdir -p "$scratch/deps" "$scratch/build"
(cd "$scratch/context" && cp package.json package-lock.json .npmrc "$scratch/deps/")
(cd "$scratch/deps" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null) &
deps_pid=$!
(cd "$scratch/context" && cp package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json "$scratch/build/" && cp -r scripts src "$scratch/build/")
(cd "$scratch/build" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run build --silent)
say "build stage done ($(($(date +%s) - t0)) s)"
wait "$deps_pid" || { say "FAIL: npm ci --omit=dev"; exit 1; }
say "deps stage done ($(($(date +%s) - t0)) s)"

# The runtime stage's file system.
app="$scratch/app"
mkdir -p "$app"
mv "$scratch/deps/node_modules" "$app/"
cp -r "$scratch/build/dist" "$app/"
(cd "$scratch/context" && cp -r package.json config cards "$app/")
for dev in tsx typescript mocha eslint; do
  if [ -e "$app/node_modules/$dev" ]; then say "FAIL: $dev is in the runtime image (a devDependency)"; exit 1; fi
done
[ ! -e "$app/src" ] || { say "FAIL: src/ in the runtime image"; exit 1; }

# CMD ["node","dist/main.js"] with the image's ENV, a token (HOST=0.0.0.0 needs one) and a free port.
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
token="smoke-$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")"
log="$scratch/esc.log"
(cd "$app" && exec env -i PATH="$PATH" HOME="$scratch" NODE_ENV=production HOST=0.0.0.0 PORT="$port" MONGODB_URI="$MONGODB_URI" ESC_API_TOKENS="$token:admin" node dist/main.js >"$log" 2>&1) &
pid=$!
started=$(date +%s%N)
# The HEALTHCHECK command, verbatim but for the port.
check() { (cd "$app" && PORT=$port node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"); }
for _ in $(seq 1 300); do
  if check; then break; fi
  kill -0 "$pid" 2>/dev/null || { say "FAIL: Esc exited"; cat "$log"; exit 1; }
  sleep 0.2
done
check || { say "FAIL: /readyz never answered 200"; curl -s "http://127.0.0.1:$port/readyz"; cat "$log"; exit 1; }
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
say "ready in ${ready_ms} ms: $(curl -s "http://127.0.0.1:$port/readyz" | head -c 300)"
curl -sf "http://127.0.0.1:$port/api/engine" -H "Authorization: Bearer $token" >/dev/null || { say "FAIL: GET /api/engine"; exit 1; }
stop0=$(date +%s%N)
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
pid=
stop_ms=$(( ($(date +%s%N) - stop0) / 1000000 ))
if [ "$rc" != 0 ] || [ "$stop_ms" -gt 10000 ]; then say "FAIL: SIGTERM: exit $rc after ${stop_ms} ms"; cat "$log"; exit 1; fi
if grep -q '"level":50' "$log"; then say "FAIL: ERROR lines in the log"; grep '"level":50' "$log"; exit 1; fi
say "OK: built, started, ready in ${ready_ms} ms, stopped by SIGTERM in ${stop_ms} ms (total $(($(date +%s) - t0)) s)"
