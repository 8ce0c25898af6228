"""A model of how Amazon ECR applies a lifecycle policy, for tests of the one the platform writes.

After the Amazon ECR user guide ("Lifecycle policies", evaluation rules, and "Lifecycle policy
properties"): rules apply from the lowest `rulePriority`; a rule selects images by tag status
and, for `tagged`, by `tagPatternList` (`*` wildcards; several patterns must all match a tag of
the image); `imageCountMoreThan` keeps the newest `countNumber` selected images by push time;
an image that matches the tagging requirements of a rule cannot be expired by a rule with a
lower priority, while images a higher rule expired still count for a lower rule. Only what the
platform's policy uses is modelled; anything else raises.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tests.support.iam import wildcard


@dataclass(frozen=True)
class Image:
    digest: str
    tags: tuple[str, ...]
    pushed_at: int


def _selected(selection: dict, image: Image) -> bool:
    status = selection["tagStatus"]
    if status == "untagged":
        return not image.tags
    if status == "any":
        return True
    if status != "tagged":
        raise ValueError(f"unknown tagStatus {status}")
    if "tagPrefixList" in selection:
        raise ValueError("tagPrefixList is not modelled")
    patterns = selection["tagPatternList"]
    return bool(image.tags) and all(any(wildcard(p, t) for t in image.tags) for p in patterns)


def expired(policy: str, images: list[Image]) -> set[str]:
    """Digests the policy expires from `images`."""
    rules = sorted(json.loads(policy)["rules"], key=lambda r: r["rulePriority"])
    claimed: set[str] = set()
    out: set[str] = set()
    for rule in rules:
        if rule["action"]["type"] != "expire":
            raise ValueError("only expire is modelled")
        sel = rule["selection"]
        if sel["countType"] != "imageCountMoreThan":
            raise ValueError("only imageCountMoreThan is modelled")
        chosen = sorted(
            (i for i in images if _selected(sel, i)), key=lambda i: i.pushed_at, reverse=True
        )
        out.update(i.digest for i in chosen[sel["countNumber"] :] if i.digest not in claimed)
        claimed.update(i.digest for i in chosen)
    return out
