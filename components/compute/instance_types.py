"""The EC2 instance types the platform knows: vCPUs and memory, for validating spot diversity.

A spot node group spreads over several types of the *same* shape so the cluster autoscaler's
scheduling simulation holds whichever type AWS hands out (mixed shapes make it guess wrong).
Figures from the EC2 instance type pages (aws.amazon.com/ec2/instance-types/).
"""

from __future__ import annotations

import re

_TYPE_RE = re.compile(r"^(?P<family>[a-z][a-z0-9-]*)\.(?P<size>[0-9]*[a-z]+)$")

# (vCPU, GiB) for x86_64 general purpose and compute optimised families used by the stacks.
_SIZES = {
    "large": (2, None),
    "xlarge": (4, None),
    "2xlarge": (8, None),
    "4xlarge": (16, None),
    "8xlarge": (32, None),
}
# GiB per vCPU by family class: general purpose 4, compute 2, memory 8.
_FAMILY_GIB_PER_VCPU = {
    "m5": 4,
    "m5a": 4,
    "m5n": 4,
    "m6i": 4,
    "m6a": 4,
    "m7i": 4,
    "m7a": 4,
    "c5": 2,
    "c5a": 2,
    "c6i": 2,
    "c6a": 2,
    "c7i": 2,
    "c7a": 2,
    "r5": 8,
    "r5a": 8,
    "r6i": 8,
    "r6a": 8,
    "r7i": 8,
}


def well_formed(instance_type: str) -> bool:
    """`family.size`, e.g. `m6i.large`."""
    return bool(_TYPE_RE.match(instance_type))


def shape(instance_type: str) -> tuple[int, int] | None:
    """(vCPU, GiB) of a known type, or None when the type is not in this catalogue."""
    m = _TYPE_RE.match(instance_type)
    if not m or m["family"] not in _FAMILY_GIB_PER_VCPU or m["size"] not in _SIZES:
        return None
    vcpu = _SIZES[m["size"]][0]
    return vcpu, vcpu * _FAMILY_GIB_PER_VCPU[m["family"]]


def known_families() -> list[str]:
    return sorted(_FAMILY_GIB_PER_VCPU)
