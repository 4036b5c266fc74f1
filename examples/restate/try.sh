#!/usr/bin/env bash
# The seed workflow through Restate, all on this machine: a `telaio mock` of Rekognition, the
# Restate server (npm), one `telaio restate serve` endpoint registered with it, one run
# started with curl and its result read. Ports: ingress 8080, admin 9070, endpoint 9080.
#
#   examples/restate/try.sh [TELAIO]        (TELAIO: the binary, `telaio` on the PATH by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
TELAIO="${1:-telaio}"
command -v "$TELAIO" >/dev/null || {
  echo "try.sh: no \`$TELAIO\`: build it (cargo build --release) and pass its path" >&2
  exit 2
}
SEED=examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
# The mock checks SigV4 signatures against these test keys.
export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=test-secret AWS_REGION=us-east-1

"$TELAIO" mock "$SEED" --scenario examples/rekognition/scenarios/succeeded.yaml \
  >"$WORK/mock.out" 2>"$WORK/mock.log" &
until grep -q listening "$WORK/mock.out" 2>/dev/null; do sleep 0.1; done
MOCK="$(grep -o 'http://[^ ]*' "$WORK/mock.out")"

# The Restate server, on loopback, its data in a temporary folder (pinned: see the README).
RESTATE_DISABLE_TELEMETRY=true RESTATE_INGRESS__BIND_ADDRESS=127.0.0.1:8080 \
RESTATE_ADMIN__BIND_ADDRESS=127.0.0.1:9070 RESTATE_BIND_ADDRESS=127.0.0.1:5122 \
RESTATE_ADVERTISED_ADDRESS=http://127.0.0.1:5122 \
  npx --yes @restatedev/restate-server@1.7.12 --no-logo --listen-mode tcp \
  --base-dir "$WORK/restate" >"$WORK/restate.log" 2>&1 &
until curl -sf http://127.0.0.1:9070/health >/dev/null; do sleep 0.2; done

"$TELAIO" restate serve "$SEED" --server "rekognitionApi=$MOCK" --poll-interval 0.5 \
  --listen 127.0.0.1:9080 >"$WORK/endpoint.out" 2>"$WORK/endpoint.log" &
until grep -q listening "$WORK/endpoint.out" 2>/dev/null; do sleep 0.1; done

# Register the endpoint (or: npx @restatedev/restate deployments register http://127.0.0.1:9080).
curl -sf http://127.0.0.1:9070/deployments -H 'content-type: application/json' \
  -d '{"uri": "http://127.0.0.1:9080"}' >/dev/null

# One run: its id is the workflow key. Then its result, once it has ended.
curl -sf http://127.0.0.1:8080/telaio/liveness-1/run/send -H 'content-type: application/json' \
  -d '{"workflowId": "face-liveness-session", "inputs": {"clientRequestToken": "liveness-1"}}'
echo
sleep 1   # a poll or two later: its steps so far
curl -sf http://127.0.0.1:8080/telaio/liveness-1/progress
echo
curl -sf http://127.0.0.1:8080/restate/workflow/telaio/liveness-1/attach
echo

# Its journal out of Restate, replayed offline: the same result, nothing sent.
"$TELAIO" restate export liveness-1 > "$WORK/liveness-1.jsonl"
"$TELAIO" replay "$WORK/liveness-1.jsonl"
