"""AWS-shaped answers for Pulumi's mock monitor: ids, ARNs and computed outputs, deterministic.

Every value is derived from the stack, the resource type and its logical name, so the same program
and config always give the same plan (diffs between plans show only real changes). Outputs use the
providers' camelCase wire names, as the engine would return them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi

# Importing the builder modules registers their types.
from faas.plan.mocks import capacity, compute, edge  # noqa: F401
from faas.plan.mocks.registry import ACCOUNT_ID, BUILDERS, ELB_LOG_ACCOUNTS, digest


class AwsMocks(pulumi.runtime.Mocks):
    def __init__(
        self,
        stack: str,
        region: str,
        stack_outputs: Callable[[str], Mapping[str, Any] | None] | None = None,
    ):
        self.stack = stack
        self.region = region
        self.stack_outputs = stack_outputs or (lambda _name: None)
        self.calls: list[str] = []
        self.zone_names: dict[str, str] = {}  # zone id -> name, for the DS digests of its KSKs

    # -- helpers -----------------------------------------------------------------------------
    def _hex(self, typ: str, name: str, n: int = 17) -> str:
        return digest(self.stack, typ, name, n=n)

    def _arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{ACCOUNT_ID}:{resource}"

    # -- Mocks API ---------------------------------------------------------------------------
    def call(self, args: pulumi.runtime.MockCallArgs):
        self.calls.append(args.token)
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/plan",
                "userId": "AIDAPLAN",
                "id": ACCOUNT_ID,
            }
        if token == "aws:index/getRegion:getRegion":
            return {
                "name": self.region,
                "region": self.region,
                "id": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
            }
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if token == "aws:elb/getServiceAccount:getServiceAccount":
            acct = ELB_LOG_ACCOUNTS.get(self.region, "127311923021")
            return {"id": acct, "arn": f"arn:aws:iam::{acct}:root"}
        return {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        if typ == "pulumi:pulumi:StackReference":
            ref = inputs.get("name", name)
            outputs = self.stack_outputs(ref)
            return f"{ref}", {"name": ref, "outputs": dict(outputs or {}), "secretOutputNames": []}
        if not args.custom or typ.startswith("pulumi:providers:"):
            return f"{name}_id" if args.custom else "", inputs
        builder = BUILDERS.get(typ)
        out = {**inputs}
        if "tags" in inputs:
            out["tagsAll"] = inputs["tags"]
        rid = f"{name}-{self._hex(typ, name, 8)}"
        if builder:
            rid, extra = builder(self, name, inputs)
            out.update(extra)
        out.setdefault("arn", self._arn(typ.split(":")[1].split("/")[0], f"{name}/{rid}"))
        return rid, out
