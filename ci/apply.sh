#!/usr/bin/env bash
# Apply the stacks of one environment that changed since $BASE, in deploy order (environment,
# colours, environment again), each only after the release guard allowed it. Both pipelines run
# this after a merge (ci/github/workflow.yml, ci/azure/azure-pipelines.yml); see docs/ci.md.
#
#   BASE=<commit> [OVERRIDE=<reason>] ci/apply.sh <environment>
#
# The guard refuses a release change to the colour that takes traffic (faas ci guard); OVERRIDE
# is a person's reason to apply it anyway. Every guard runs before the first `pulumi up`, so a
# refusal leaves the environment as it was.
set -euo pipefail

env="${1:?usage: ci/apply.sh <environment>}"
: "${BASE:?BASE: the commit the change is measured from}"
faas="${FAAS:-.venv/bin/faas}"

stacks="$("$faas" ci changed-stacks --base "$BASE" --env "$env")"
if [ -z "$stacks" ]; then
  echo "$env: no stack changed since $BASE"
  exit 0
fi
echo "$env: apply, in order:" $stacks

for stack in $stacks; do
  "$faas" ci guard --stack "$stack" --base "$BASE" --override "${OVERRIDE:-}"
done

pulumi login "${PULUMI_BACKEND_URL:?PULUMI_BACKEND_URL: the state backend}"
for stack in $stacks; do
  refresh=()
  # The environment stack reads the colours and keeps weights it does not own: refresh first
  # (README, "Upgrading: blue/green").
  if [ "$stack" = "$env" ]; then refresh=(--refresh); fi
  pulumi up --yes --non-interactive "${refresh[@]}" --stack "$stack" \
    --policy-pack policies --policy-pack-config "policies/config/$env.json"
done
