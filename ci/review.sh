#!/usr/bin/env bash
# The pull request's Markdown review: every stack planned offline at the base commit and at HEAD,
# then compared (faas plan --base-dir --review). Both pipelines run it; see docs/ci.md.
#
#   ci/review.sh <base commit> [<review file>, default build/review.md]
#
# The base commit's own program and stack files are planned with this job's interpreter. Exit 0
# with a review written, also when a policy rule fails (the policy jobs fail for that); 2 when a
# stack file at HEAD is broken.
set -euo pipefail

base="${1:?usage: ci/review.sh <base commit> [review.md]}"
out="${2:-build/review.md}"
python="${PYTHON:-$PWD/.venv/bin/python}"
work="$(mktemp -d)"
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git worktree add --detach "$work/base" "$base" >/dev/null
if ! (cd "$work/base" && PYTHONPATH="$work/base" "$python" -m faas.cli plan --all \
      --out "$work/base-plans" >/dev/null); then
  echo "note: the base commit does not plan; stacks are compared against nothing" >&2
fi

status=0
"$python" -m faas.cli plan --all --out build/plan --base-dir "$work/base-plans" \
  --review "$out" || status=$?
if [ "$status" -ge 2 ]; then exit "$status"; fi
echo "review written to $out"
