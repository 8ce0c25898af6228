"""A public hosted zone delegated from the parent zone, DNSSEC-signed, optionally query-logged.

Used twice: by the cluster stack for `faas-<color>.<baseDomain>` (with query logging) and by the
environment stack for `faas.<baseDomain>` (protected: function authors' names live there). Both
are delegated from the parent zone `<baseDomain>`, which receives their NS and DS records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.constants import DNSSEC_MODES
from components.edge.dnssec import ZoneSigning, ZoneSigningArgs
from components.shared.identity import Identity
from components.shared.logs import EncryptedLogGroup, EncryptedLogGroupArgs

# Route 53 only publishes query logs to CloudWatch Logs in us-east-1, whatever the zone's "region"
# (Route 53 is global): https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html
QUERY_LOG_REGION = "us-east-1"
# Delegations change only when a zone is recreated; an hour keeps resolvers' load low while a
# mistaken delegation still heals within the hour.
DELEGATION_TTL = 3600


@dataclass
class DelegatedZoneArgs:
    identity: Identity
    """The stack: a cluster stack's colour, or the environment stack (colour None)."""
    zone_name: str
    """The zone's DNS name, e.g. `faas-blue.dev.example.com` (from components/naming.py)."""
    parent_zone_id: str
    """The parent zone (`<baseDomain>`) that receives the NS delegation record."""
    component: str
    """Value of the `Component` tag: "edge" or "environment"."""
    query_log_retention_days: int | None = None
    """Days to keep DNS query logs; None: no query logging."""
    protect: bool = False
    """Protect the zone and its delegation against deletion (the environment zone)."""
    dnssec: str = "chain"
    """One of constants.DNSSEC_MODES: sign and publish the DS record, sign only, or neither."""


class DelegatedZone(pulumi.ComponentResource):
    zone_id: pulumi.Output[str]
    zone_name: pulumi.Output[str]
    name_servers: pulumi.Output[list[str]]
    ds_record: pulumi.Output[str] | None
    """The DS record of the zone's key-signing key; None when DNSSEC is off."""

    def __init__(
        self, name: str, args: DelegatedZoneArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:edge:DelegatedZone", name, None, opts)
        ident = args.identity
        zone_res = ident.name("zone")
        kept = pulumi.ResourceOptions(parent=self, protect=args.protect)

        zone = aws.route53.Zone(
            zone_res,
            name=args.zone_name,
            comment=f"faas-platform {naming.stack_name(ident.environment, ident.color)} "
            "(managed by Pulumi)",
            # Never delete records we do not know about (e.g. the cutover's lock/state TXT records).
            force_destroy=False,
            tags=ident.tags(args.zone_name, args.component),
            opts=kept,
        )
        aws.route53.Record(
            ident.name("zone", "delegation"),
            zone_id=args.parent_zone_id,
            name=args.zone_name,
            type="NS",
            ttl=DELEGATION_TTL,
            records=zone.name_servers,
            opts=kept,
        )
        if args.query_log_retention_days is not None:
            self._query_logging(zone, args)
        self.ds_record = self._dnssec(zone, args)

        self.zone_id = zone.zone_id
        self.zone_name = zone.name
        self.name_servers = zone.name_servers
        outputs = {
            "zone_id": self.zone_id,
            "zone_name": self.zone_name,
            "name_servers": zone.name_servers,
        }
        if self.ds_record is not None:
            outputs["ds_record"] = self.ds_record
        self.register_outputs(outputs)

    def _dnssec(self, zone: aws.route53.Zone, args: DelegatedZoneArgs) -> pulumi.Output[str] | None:
        """Sign the zone and, in mode `chain`, publish its DS record beside the NS delegation.

        Order matters. A DS record in the parent tells validating resolvers to expect signatures
        from this zone's key; published before signing is on (or for another key), every answer
        of the zone fails validation (SERVFAIL) for as long as resolvers cache the DS. So the DS
        record depends on the signing resource, which depends on the active KSK: KMS key -> KSK ->
        signing -> DS (Route 53 guide, "Enabling DNSSEC signing and establishing a chain of
        trust": https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-configuring-dnssec-enable-signing.html).
        For a zone that already serves answers, AWS recommends waiting the zone's largest TTL
        between signing and the DS record: that is mode `sign` first, then `chain` (docs/edge.md,
        "DNSSEC"). Rolling back walks the modes the other way, waiting in between
        (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-configuring-dnssec-disable.html).
        """
        if args.dnssec not in DNSSEC_MODES:
            raise ValueError(f"dnssec {args.dnssec!r} is not one of {', '.join(DNSSEC_MODES)}")
        if args.dnssec == "off":
            return None
        ident = args.identity
        signing = ZoneSigning(
            ident.name("zone", "signing"),
            ZoneSigningArgs(
                identity=ident, zone_id=zone.zone_id, zone_arn=zone.arn, component=args.component
            ),
            pulumi.ResourceOptions(parent=self),
        )
        if args.dnssec == "chain":
            # Not protected, even for the environment zone: removing the DS record is the first,
            # harmless step of a rollback (the zone stays resolvable, only unvalidated).
            aws.route53.Record(
                ident.name("zone", "ds"),
                zone_id=args.parent_zone_id,
                name=args.zone_name,
                type="DS",
                # As long as the NS delegation's: a rollback waits this long after removing it.
                ttl=DELEGATION_TTL,
                records=[signing.ds_record],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[signing.signing]),
            )
        return signing.ds_record

    def _query_logging(self, zone: aws.route53.Zone, args: DelegatedZoneArgs) -> None:
        """Log group (us-east-1, KMS-encrypted, finite retention) + resource policy + QueryLog.

        pulumi-aws v7 resources take a `region` argument, so the us-east-1 pieces use the stack's
        own provider instead of a second, explicit `aws.Provider`: an explicit provider does not
        read the stack's `aws:` config (profile, assumeRoles, allowedAccountIds), so it could
        silently act in another account. https://www.pulumi.com/registry/packages/aws/how-to-guides/aws-enhanced-region-support
        """
        stack = args.identity
        child = pulumi.ResourceOptions(parent=self)
        ident = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        group_name = f"/aws/route53/{args.zone_name}"

        group = EncryptedLogGroup(
            stack.name("query-logs", "group"),
            EncryptedLogGroupArgs(
                identity=stack, role="query-logs", component=args.component,
                log_name=group_name, retention_days=args.query_log_retention_days,
                region=QUERY_LOG_REGION,
            ),
            opts=child,
        )  # fmt: skip
        # Route 53 writes with its service principal; the conditions stop any other account's
        # zone from writing here (confused deputy), as the query-logging guide recommends.
        policy_name = stack.name("route53-query-logs")
        policy = aws.cloudwatch.LogResourcePolicy(
            policy_name,
            region=QUERY_LOG_REGION,
            policy_name=policy_name,
            policy_document=pulumi.Output.all(group.arn, ident.account_id, zone.arn).apply(
                lambda a: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "Route53WritesQueryLogs",
                                "Effect": "Allow",
                                "Principal": {"Service": "route53.amazonaws.com"},
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": f"{a[0]}:*",
                                "Condition": {
                                    "StringEquals": {"aws:SourceAccount": a[1]},
                                    "ArnLike": {"aws:SourceArn": a[2]},
                                },
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        aws.route53.QueryLog(
            stack.name("query-log"),
            zone_id=zone.zone_id,
            cloudwatch_log_group_arn=group.arn,
            # Route 53 checks the resource policy when the config is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
