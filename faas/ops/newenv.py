"""`faas new-env`: a new environment in one step, from the dev or prod environment as template.

Writes `Pulumi.<env>.yaml`, `Pulumi.<env>-blue.yaml`, `Pulumi.<env>-green.yaml` and the policy
levels `policies/config/<env>.json`, after checking everything first: the name, the region, the
base domain (not used by another environment: the zones would collide), the two VPC ranges (each
valid, disjoint from each other and from every existing environment's), and the three generated
configs through the same validation `pulumi up` runs. Nothing is written unless all of it holds,
and no existing file is overwritten.
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components import naming
from components.config import ConfigError, aws, load
from components.config.stackfile import (
    StackFileError,
    path_of,
    read_stack_file,
    stack_names,
    stacks_dir,
)
from faas import exitcodes, inputs

TEMPLATES = ("dev", "prod")
# Keys a new environment must set for itself before `pulumi up`: printed after writing.
TO_EDIT = (
    "faas:parentZoneId (the hosted zone of <baseDomain>, which delegates to the new zones)",
    "faas:cluster.adminRoleArns (must include the role that runs `pulumi up`)",
    "faas:serving.teams[].iamRoleArn and faas:serving.oidc (your teams and identity provider)",
    "faas:serving.teams[].source (each team's Git path for this environment, same on both colours)",
    "faas:cluster.publicAccessCidrs (your office or VPN ranges, or empty for a private endpoint)",
)
HEADERS = {
    None: "# Environment stack of {env}: the zone faas.{bd} and the weighted records of the "
    "colours.\n# Written by `faas new-env` from the {tpl} environment.\n",
    "color": "# Cluster stack {stack}: VPC, EKS, node groups, edge and serving of one colour.\n"
    "# Written by `faas new-env` from the {tpl} environment.\n",
}

DESCRIPTION = """\
Write the three stack files of a new environment (<env>, <env>-blue, <env>-green) and its policy
levels, starting from the dev or prod environment. Refuses a name, base domain or VPC range that
collides with an existing environment; the result plans clean at once:
  faas new-env qa --region eu-west-1 --base-domain qa.example.com \\
      --cidr-blue 10.40.0.0/16 --cidr-green 10.41.0.0/16
  faas plan qa qa-blue qa-green"""


class Refused(Exception):
    """Input that cannot make a valid environment; nothing was written."""


@dataclass(frozen=True)
class Request:
    env: str
    region: str
    base_domain: str
    cidrs: dict[str, str]
    template: str
    parent_zone_id: str | None = None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("env", help="environment name: 2-12 lowercase letters/digits, e.g. qa")
    p.add_argument("--region", required=True, help="AWS region, e.g. eu-west-1")
    p.add_argument("--base-domain", required=True, help="e.g. qa.example.com")
    p.add_argument("--cidr-blue", required=True, help="blue's VPC range, private /16../20")
    p.add_argument("--cidr-green", required=True, help="green's VPC range, disjoint from blue's")
    p.add_argument(
        "--from",
        dest="template",
        choices=TEMPLATES,
        default="dev",
        help="environment to start from: sizes, retention and policy levels (default: dev)",
    )
    p.add_argument("--parent-zone-id", help="hosted zone id of the base domain's parent zone")
    p.add_argument("--stacks-dir", help="folder of the stack files (default: stacks/)")
    p.add_argument("--policy-dir", help="folder of the policy configs")


def run(args: argparse.Namespace) -> int:
    problems = [
        p
        for p in (
            inputs.region(args.region),
            inputs.folder(args.stacks_dir, "--stacks-dir"),
            inputs.folder(args.policy_dir, "--policy-dir"),
        )
        if p
    ]
    if problems:
        return inputs.refuse("new-env", problems)
    request = Request(
        env=args.env,
        region=args.region,
        base_domain=args.base_domain,
        cidrs={"blue": args.cidr_blue, "green": args.cidr_green},
        template=args.template,
        parent_zone_id=args.parent_zone_id,
    )
    try:
        written = create(
            request,
            Path(args.stacks_dir) if args.stacks_dir is not None else stacks_dir(),
            Path(args.policy_dir) if args.policy_dir is not None else None,
        )
    except (Refused, StackFileError) as exc:
        print(f"faas new-env: refused, nothing written: {exc}", file=sys.stderr)
        return exitcodes.REFUSED
    except OSError as exc:
        print(f"faas new-env: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return exitcodes.REFUSED
    for path in written:
        print(f"wrote {path}")
    stacks = " ".join(naming.stack_name(args.env, c) for c in (None, *naming.COLORS))
    print(f"\nnext: faas plan {stacks}\nbefore `pulumi up`, set:")
    for item in TO_EDIT:
        print(f"  - {item}")
    return exitcodes.OK


def create(req: Request, stacks: Path, policy_dir: Path | None = None) -> list[Path]:
    """Check everything, then write the four files; `Refused` (nothing written) on any problem."""
    from policies import settings as policy_settings  # the pack's SDK: only when writing

    policy_dir = policy_dir or policy_settings.config_dir()
    configs = build(req, stacks)
    targets = {path_of(stack, stacks): cfg for stack, cfg in configs.items()}
    policy_path = policy_settings.config_path(req.env, policy_dir)
    existing = [str(p) for p in [*targets, policy_path] if p.exists()]
    if existing:
        raise Refused(f"{', '.join(existing)} already exist(s); pick another name or remove them")
    levels = policy_settings.config_path(req.template, policy_dir)
    if not levels.exists():
        raise Refused(f"the template's policy levels {levels} do not exist")
    written = []
    for path, cfg in targets.items():
        _, color = naming.parse_stack_name(path.name[len("Pulumi.") : -len(".yaml")])
        header = HEADERS["color" if color else None].format(
            env=req.env, bd=req.base_domain, tpl=req.template, stack=path.stem[len("Pulumi.") :]
        )
        path.write_text(header + yaml.safe_dump({"config": cfg}, sort_keys=False))
        written.append(path)
    policy_path.write_text(levels.read_text())
    written.append(policy_path)
    return written


def build(req: Request, stacks: Path) -> dict[str, dict[str, Any]]:
    """The three stacks' config mappings, validated as `pulumi up` would; `Refused` otherwise."""
    if not naming.valid_environment(req.env):
        raise Refused(
            f"the environment name (first argument) {req.env!r:.60} must be 2-12 lowercase "
            "letters/digits"
        )
    if problem := aws.region_problem(req.region):
        raise Refused(f"--region {req.region!r:.60} {problem}")
    existing = _existing_environments(stacks)
    if req.env in existing:
        raise Refused(f"environment {req.env!r} (argument) already has stack files in {stacks}")
    ranges = _check_ranges(req.cidrs, stacks)
    for other, bd in existing.items():
        if bd == req.base_domain:
            raise Refused(
                f"--base-domain {req.base_domain} is already used by environment {other!r}: "
                f"both would own the zone {naming.env_zone_name(bd)}"
            )
    configs: dict[str, dict[str, Any]] = {}
    for color in (None, *naming.COLORS):
        template = read_stack_file(naming.stack_name(req.template, color), stacks)
        if template is None:
            raise Refused(f"template stack file {path_of(naming.stack_name(req.template, color))}")
        configs[naming.stack_name(req.env, color)] = _adapt(template, req, color, ranges)
    problems = []
    for stack, cfg in configs.items():
        sibling = None
        if naming.parse_stack_name(stack)[1]:
            other = next(c for c in naming.COLORS if not stack.endswith(c))
            sibling = configs[naming.stack_name(req.env, other)]
        try:
            load(stack, cfg, sibling)
        except ConfigError as err:
            problems += [f"{stack}: {p}" for p in err.problems]
    if problems:
        raise Refused("the generated stacks would not validate:\n  " + "\n  ".join(problems))
    return configs


def _existing_environments(stacks: Path) -> dict[str, str]:
    """Environment name -> its base domain, for every environment stack file in `stacks`."""
    found = {}
    for stack in stack_names(stacks):
        env, color = naming.parse_stack_name(stack)
        if color is None:
            raw = read_stack_file(stack, stacks) or {}
            found[env] = str(raw.get("faas:baseDomain", ""))
    return found


def _check_ranges(cidrs: dict[str, str], stacks: Path) -> dict[str, str]:
    nets = {}
    for color, cidr in cidrs.items():
        try:
            nets[color] = ipaddress.IPv4Network(cidr, strict=True)
        except ValueError:
            raise Refused(f"--cidr-{color} {cidr!r} is not a CIDR like 10.40.0.0/16") from None
    if nets["blue"].overlaps(nets["green"]):
        raise Refused(f"--cidr-blue {cidrs['blue']} overlaps --cidr-green {cidrs['green']}")
    for stack in stack_names(stacks):
        if naming.parse_stack_name(stack)[1] is None:
            continue
        network = (read_stack_file(stack, stacks) or {}).get("faas:network") or {}
        theirs = network.get("cidr") if isinstance(network, dict) else None
        for color, net in nets.items():
            try:
                clash = bool(theirs) and net.overlaps(ipaddress.IPv4Network(theirs))
            except ValueError:
                continue  # that stack's own validation reports its malformed range
            if clash:
                raise Refused(
                    f"--cidr-{color} {cidrs[color]} overlaps {stack}'s VPC {theirs}; every "
                    "colour of every environment gets its own range, so any two can be peered"
                )
    return {c: str(n) for c, n in nets.items()}


def _adapt(
    template: dict[str, Any], req: Request, color: str | None, ranges: dict[str, str]
) -> dict[str, Any]:
    cfg = copy.deepcopy(template)
    cfg["aws:region"] = req.region
    cfg["faas:environment"] = req.env
    cfg["faas:baseDomain"] = req.base_domain
    if req.parent_zone_id:
        cfg["faas:parentZoneId"] = req.parent_zone_id
    if color is None:
        return cfg
    network = cfg.setdefault("faas:network", {})
    network["cidr"] = ranges[color]
    # As many zones as the template uses, the region's own (components/config/aws_data.json):
    # the template's letters may not exist there (ap-northeast-1 has no b, ca-central-1 no c).
    network["azs"] = list(aws.zones(req.region)[: max(2, len(network.get("azs") or []))])
    serving = cfg.get("faas:serving") or {}
    oidc = serving.get("oidc") or {}
    if "audiences" in oidc:
        oidc["audiences"] = [f"faas-{req.env}"]
    tracing = serving.get("tracing") or {}
    if "otlpEndpoint" in tracing:
        tracing["otlpEndpoint"] = f"https://otlp.observability.{req.base_domain}:4317"
    return cfg
