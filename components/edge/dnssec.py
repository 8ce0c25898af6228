"""DNSSEC signing of one public hosted zone: the signing key, the key-signing key, signing on.

Route 53 signs a zone's answers with a zone-signing key it manages itself, and signs that key
with a key-signing key (KSK) backed by a customer managed KMS key. The KMS key must be asymmetric
(ECC_NIST_P256, usage SIGN_VERIFY), enabled, in us-east-1, and its key policy must let the
`dnssec-route53.amazonaws.com` service describe it, read its public key and sign with it
(https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-configuring-dnssec-cmk-requirements.html).

Why a component of its own and not `components.shared.kms.EncryptionKey`: that one is a
symmetric ENCRYPT_DECRYPT key with yearly rotation whose policy lets CloudWatch Logs encrypt one
log group. This key differs in each of those: spec, usage, rotation (AWS cannot rotate asymmetric
keys: KMS API reference, EnableKeyRotation) and who may use it. Flags for each would make both
halves of one class lie; a signing key used only for this zone lives with the zone's signing.

The DS record that links the zone into its parent's chain of trust is not created here: it goes
into the parent zone next to the NS delegation (components/edge/zone.py), after signing is on.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.constants import DNSSEC_KEY_REGION, DNSSEC_KEY_SPEC, DNSSEC_KEY_USAGE
from components.shared.iam import policy_json
from components.shared.identity import Identity

# The service principal Route 53 uses for DNSSEC calls to KMS (Route 53 developer guide,
# "Customer managed key permissions required for DNSSEC signing").
DNSSEC_SERVICE = "dnssec-route53.amazonaws.com"
# A key scheduled for deletion can be recovered during this window; the longest KMS allows, so a
# mistaken deletion of a zone's signing key can still be undone before the zone goes bogus.
DELETION_WINDOW_DAYS = 30


def ksk_name(physical: str) -> str:
    """A KSK's name: Route 53 accepts letters, digits and underscores only (3..128 characters,
    CreateKeySigningKey `Name`), so the stack's hyphenated name is written with underscores."""
    return physical.replace("-", "_")


@dataclass
class ZoneSigningArgs:
    identity: Identity
    """The stack that owns the zone."""
    zone_id: pulumi.Input[str]
    """The hosted zone to sign."""
    zone_arn: pulumi.Input[str]
    """Its ARN: the only zone whose DNSSEC requests may use the key (aws:SourceArn)."""
    component: str
    """The `Component` tag of the owner ("edge" or "environment")."""


class ZoneSigning(pulumi.ComponentResource):
    ds_record: pulumi.Output[str]
    """The DS record of the KSK (`<key tag> 13 2 <SHA-256 digest>`) for the parent zone."""
    signing: aws.route53.HostedZoneDnsSec
    """Signing switched on: whatever publishes the DS record must depend on it."""

    def __init__(
        self, name: str, args: ZoneSigningArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:edge:ZoneSigning", name, None, opts)
        ident = args.identity
        physical = ident.name("dnssec", "key")
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        caller = aws.get_caller_identity_output(opts=invoke)
        partition = aws.get_partition_output(opts=invoke).partition
        # pulumi-aws v7 resources take `region`, so the key lives in us-east-1 through the stack's
        # own provider (see components/edge/zone.py on why not a second provider).
        key = aws.kms.Key(
            physical,
            region=DNSSEC_KEY_REGION,
            description=f"{physical}: DNSSEC key-signing key of {ident.name()}'s zone",
            customer_master_key_spec=DNSSEC_KEY_SPEC,
            key_usage=DNSSEC_KEY_USAGE,
            deletion_window_in_days=DELETION_WINDOW_DAYS,
            policy=policy_json(self._statements(caller.account_id, partition, args.zone_arn)),
            tags=ident.tags(physical, args.component),
            opts=child,
        )
        aws.kms.Alias(
            physical, region=DNSSEC_KEY_REGION, name=f"alias/{physical}",
            target_key_id=key.key_id, opts=child,
        )  # fmt: skip
        ksk = aws.route53.KeySigningKey(
            ident.name("dnssec", "ksk"),
            hosted_zone_id=args.zone_id,
            key_management_service_arn=key.arn,
            name=ksk_name(ident.name("ksk")),
            status="ACTIVE",
            opts=child,
        )
        # Signing needs an active KSK first; the provider's own example orders them the same way
        # (https://www.pulumi.com/registry/packages/aws/api-docs/route53/hostedzonednssec/).
        self.signing = aws.route53.HostedZoneDnsSec(
            ident.name("dnssec"),
            hosted_zone_id=args.zone_id,
            signing_status="SIGNING",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ksk]),
        )
        self.ds_record = ksk.ds_record
        self.register_outputs({"ds_record": self.ds_record})

    @staticmethod
    def _statements(account: pulumi.Input[str], partition: pulumi.Input[str], zone_arn) -> list:
        # The conditions pin the service's use of the key to this account's zone, as the Route 53
        # guide recommends against the confused-deputy problem
        # (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/access-control-managing-permissions.html).
        return [
            {
                # The account root as administrator: without it the key can become unmanageable.
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {
                    "AWS": pulumi.Output.concat("arn:", partition, ":iam::", account, ":root")
                },
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Route53DnssecSigns",
                "Effect": "Allow",
                "Principal": {"Service": DNSSEC_SERVICE},
                "Action": ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": zone_arn},
                },
            },
            {
                # Route 53 holds the key through a grant; only for use by an AWS service.
                "Sid": "Route53DnssecCreatesGrant",
                "Effect": "Allow",
                "Principal": {"Service": DNSSEC_SERVICE},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ]
