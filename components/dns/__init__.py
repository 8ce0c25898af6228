"""DNS of an environment: the zone function authors see and the weighted records of the colours.

The environment stack `<env>` builds `EnvironmentDns`. What it owns: the zone `faas.<baseDomain>`
(delegated from the parent zone, protected), the ACM validation records of the environment names
(shared by blue's and green's certificates, see components/edge/certificate.py), and per deployed
colour one weighted alias record per entry point (`*.faas.<baseDomain>`,
`*.internal.faas.<baseDomain>`), SetIdentifier = colour.

Colours come from StackReferences to `<env>-blue` / `<env>-green`. A StackReference to a stack that
does not exist fails the whole update ("unknown stack", https://github.com/pulumi/pulumi/issues/2407),
so the operator creates the colour stacks first (`pulumi stack init <env>-blue`, `…-green`); a
stack that exists but has not been deployed has no outputs, and that colour is skipped with a
warning. Deploy order: `<env>` → `<env>-blue` ‖ `<env>-green` → `<env>` again (docs/edge.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import naming
from components.config import EnvironmentStackConfig
from components.edge import lb_output_names
from components.edge.certificate import request_certificate, validation_record
from components.edge.zone import DelegatedZone, DelegatedZoneArgs
from components.shared.identity import Identity

# Weights belong to the cutover (`faas cutover`) once the records exist. Pulumi would revert
# any out-of-band change on the next `pulumi up`, undoing a cutover; ignoring the property makes
# the engine keep the live value for it (diffs and updates leave it alone) while every other
# property (alias target, evaluate-target-health) still converges. The Python SDK translates the
# snake_case name to the wire name `weightedRoutingPolicies`; tests/test_environment_dns.py checks
# what reaches the engine. https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/
# The provider drops diffs on ignored paths too (https://github.com/pulumi/pulumi-terraform/pull/441),
# so a refreshed weight is not written back either. One limit: when another property of a record
# does change (a colour's NLB was replaced), the update is a Route 53 UPSERT of the whole record
# set, whose weight can only come from the state: the initial weight unless the state was
# refreshed after the last cutover. So update the environment stack with `pulumi up --refresh`.
WEIGHT_PROPERTY = "weighted_routing_policies"


def required_outputs() -> list[str]:
    """Colour-stack outputs the weighted records need (exported by components/edge `Edge`)."""
    return [name for entry in naming.ENTRY_POINTS for name in lb_output_names(entry)]


def deployed_outputs(stack: str, outputs: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The colour's load-balancer outputs, None if it has none yet (not deployed).

    A stack with only some of them is broken (a renamed output, a half-migrated program): that
    is an error, not "not deployed", or the environment would silently drop a serving colour.
    """
    outputs = outputs or {}
    present = {k: outputs.get(k) for k in required_outputs() if outputs.get(k)}
    if not present:
        return None
    missing = [k for k in required_outputs() if k not in present]
    if missing:
        raise ValueError(
            f"stack {stack} is missing the outputs {', '.join(missing)}; "
            "redeploy it with the current program before updating the environment stack"
        )
    return present


@dataclass
class EnvironmentArgs:
    config: EnvironmentStackConfig
    """The environment stack's validated config (zone, parent zone, initial weights)."""


class EnvironmentDns(pulumi.ComponentResource):
    zone_id: pulumi.Output[str]
    zone_name: pulumi.Output[str]
    weighted_colors: pulumi.Output[list[str]]
    """Colours that have weighted records (deployed colour stacks), in naming.COLORS order."""
    ds_record: pulumi.Output[str] | None
    """The environment zone's DS record (stack output `env_zone_ds_record`); None: DNSSEC off."""

    def __init__(
        self, name: str, args: EnvironmentArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:environment:EnvironmentDns", name, None, opts)
        cfg = args.config
        ident = Identity(cfg.environment, None)
        self._cfg, self._ident = cfg, ident
        zone_name = naming.env_zone_name(cfg.base_domain)
        zone = DelegatedZone(
            ident.name("env-zone"),
            DelegatedZoneArgs(
                identity=ident,
                zone_name=zone_name,
                parent_zone_id=cfg.parent_zone_id,
                component="environment",
                # `faas:queryLogRetentionDays` (prod: a year, like every prod log group).
                query_log_retention_days=cfg.query_log_retention_days,
                protect=True,
                dnssec=cfg.dnssec,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.zone_id = zone.zone_id
        self.zone_name = zone.zone_name
        self.ds_record = zone.ds_record
        self._shared_validation(zone.zone_id)

        colours = []
        self.references: dict[str, pulumi.StackReference] = {}
        """The colour stacks, for other facts the environment reports (release skew)."""
        for color in naming.COLORS:
            stack = cfg.color_stack(color)
            ref = pulumi.StackReference(
                ident.name(color, "stack"),
                stack_name=stack,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.references[color] = ref
            # The records exist only for a deployed colour, and that is known only once the
            # reference is read, so they are declared inside `apply`. Stack-reference outputs are
            # read during preview too, so the records still show in `pulumi preview`.
            colours.append(
                ref.outputs.apply(lambda outs, c=color, s=stack: self._colour(c, s, outs))
            )
        self.weighted_colors = pulumi.Output.all(*colours).apply(
            lambda cs: [c for c in cs if c is not None]
        )
        self.register_outputs(self.stack_outputs())

    def _shared_validation(self, zone_id: pulumi.Output[str]) -> None:
        """Own the environment names' ACM validation CNAMEs, shared by blue's and green's certs.

        The CNAME for a name is the same for every certificate in the account, so a certificate
        for the environment names alone tells us the records blue and green will need; owning
        them here means neither colour stack creates, overwrites or deletes them. Validating this
        certificate too proves the records work before any colour waits on them.
        """
        cfg, ident = self._cfg, self._ident
        names = naming.env_entry_names(cfg.base_domain)
        cert_name = ident.name("certificate")
        cert = request_certificate(
            cert_name, list(names.values()), ident.tags(cert_name, "environment"), self
        )
        records = [
            validation_record(
                ident.name("certificate", "validation", entry),
                cert,
                domain,
                zone_id,
                self,
            )
            for entry, domain in names.items()
        ]
        aws.acm.CertificateValidation(
            ident.name("certificate", "validation"),
            certificate_arn=cert.arn,
            validation_record_fqdns=[r.fqdn for r in records],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _colour(self, color: str, stack: str, outputs: Mapping[str, Any]) -> str | None:
        """Weighted records of one colour, or a warning if its stack is not deployed yet."""
        cfg = self._cfg
        found = deployed_outputs(stack, outputs)
        if found is None:
            pulumi.log.warn(
                f"colour {color!r} skipped: stack {stack} has no outputs yet (not deployed). "
                f"Deploy it, then run `pulumi up` on stack {cfg.stack} again to add its "
                "weighted records.",
                resource=self,
            )
            return None
        names = naming.env_entry_names(cfg.base_domain)
        for entry in naming.ENTRY_POINTS:
            dns_key, zone_key = lb_output_names(entry)
            aws.route53.Record(
                self._ident.name(entry, color),
                zone_id=self.zone_id,
                name=names[entry],
                type="A",
                set_identifier=color,
                # Only the initial weight: see WEIGHT_PROPERTY.
                weighted_routing_policies=[{"weight": cfg.initial_weights[color]}],
                # An NLB whose target groups have no healthy target (green not ready) makes its
                # record unhealthy, so Route 53 keeps answering with the other colour.
                aliases=[
                    {
                        "name": found[dns_key],
                        "zone_id": found[zone_key],
                        "evaluate_target_health": True,
                    }
                ],
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=[WEIGHT_PROPERTY]),
            )
        return color

    def stack_outputs(self) -> dict[str, Any]:
        """What the cutover needs: the zone and the weighted record names (set ids = colours)."""
        names = naming.env_entry_names(self._cfg.base_domain)
        return {
            "env_zone_id": self.zone_id,
            "env_zone_name": self.zone_name,
            "dmz_record_name": names["dmz"],
            "internal_record_name": names["internal"],
            "weighted_colors": self.weighted_colors,
            # for a parent zone outside this account (a registrar): the record to add there
            **({"env_zone_ds_record": self.ds_record} if self.ds_record is not None else {}),
        }
