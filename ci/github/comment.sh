#!/usr/bin/env bash
# Post the plan review as one pull-request comment, and update that same comment on every later
# run (found by the marker on the review's first line) instead of adding another.
#
#   GH_TOKEN=... GITHUB_REPOSITORY=owner/repo ci/github/comment.sh <pr number> <review.md>
set -euo pipefail

pr="${1:?usage: comment.sh <pr number> <review.md>}"
file="${2:?usage: comment.sh <pr number> <review.md>}"
repo="${GITHUB_REPOSITORY:?GITHUB_REPOSITORY: owner/repo}"
marker="$(head -n 1 "$file")"

id="$(gh api "repos/$repo/issues/$pr/comments" --paginate \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)"
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$repo/issues/comments/$id" -F "body=@$file" >/dev/null
  echo "updated review comment $id on #$pr"
else
  gh api --method POST "repos/$repo/issues/$pr/comments" -F "body=@$file" >/dev/null
  echo "posted review comment on #$pr"
fi
