"""The colour's ACM certificate: cluster and environment names, DNS-validated, CT-logged.

Validation records and why the environment names' records are not here
-----------------------------------------------------------------------
ACM's DNS-validation CNAME for a domain name depends only on the name and the AWS account, not on
the certificate, so every certificate for that name in the account reuses it
(https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html). Blue's and
green's certificates both cover `*.faas.<baseDomain>` and `*.internal.faas.<baseDomain>`, so
they would both want to create the same two records; two stacks owning one record means the
second `create` fails, or with `allow_overwrite` the first stack to be destroyed deletes the
record the other still needs for renewal. So the environment stack owns those two records (it
requests its own certificate for the environment names only, to learn and own the CNAMEs: see
components/dns), and each
cluster stack owns only the records of its own cluster names, in its cluster zone. The
`CertificateValidation` below still lists all four validation FQDNs, the environment ones computed
from the certificate's own validation options, so "issued" is checked for every name; the
environment stack must therefore be deployed first (docs/edge.md, deploy order).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.shared.identity import Identity

VALIDATION_TTL = 300


def validation_option(cert: aws.acm.Certificate, domain: str) -> pulumi.Output:
    """The certificate's validation option for one of its names (name, type, value of the CNAME)."""

    def pick(options):
        for o in options or []:
            if o.domain_name == domain:
                return o
        raise ValueError(f"certificate has no validation option for {domain}")

    return cert.domain_validation_options.apply(pick)


def validation_record(
    name: str, cert: aws.acm.Certificate, domain: str, zone_id: pulumi.Input[str], parent
) -> aws.route53.Record:
    """The DNS-validation CNAME of `domain` in the zone that owns it.

    One record per *known* domain name (not one per element of the computed option list), so the
    plan shows every record even before ACM has answered.
    """
    option = validation_option(cert, domain)
    return aws.route53.Record(
        name,
        zone_id=zone_id,
        name=option.apply(lambda o: o.resource_record_name),
        type=option.apply(lambda o: o.resource_record_type),
        ttl=VALIDATION_TTL,
        records=[option.apply(lambda o: o.resource_record_value)],
        opts=pulumi.ResourceOptions(parent=parent),
    )


def request_certificate(
    name: str, names: list[str], tag_set: dict[str, str], parent
) -> aws.acm.Certificate:
    """A public ACM certificate for `names` (first = subject), DNS validation, CT logging on."""
    return aws.acm.Certificate(
        name,
        domain_name=names[0],
        subject_alternative_names=names[1:],
        validation_method="DNS",
        # Browsers reject public certificates missing from CT logs; never opt out.
        options={"certificate_transparency_logging_preference": "ENABLED"},
        tags=tag_set,
        opts=pulumi.ResourceOptions(parent=parent),
    )


@dataclass
class CertificateArgs:
    identity: Identity
    base_domain: str
    """`<baseDomain>`: the certificate covers the cluster's and the environment's names under it."""
    zone_id: pulumi.Input[str]
    """The cluster zone, which owns the cluster names' validation records."""


class Certificate(pulumi.ComponentResource):
    certificate_arn: pulumi.Output[str]
    """ARN of the *validated* certificate: using it waits for issuance."""
    domain_names: list[str]

    def __init__(
        self, name: str, args: CertificateArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:edge:Certificate", name, None, opts)
        ident = args.identity
        cluster_names = naming.cluster_entry_names(args.base_domain, ident.color)
        env_names = naming.env_entry_names(args.base_domain)
        self.domain_names = [*cluster_names.values(), *env_names.values()]

        cert_name = ident.name("certificate")
        cert = request_certificate(
            cert_name, self.domain_names, ident.tags(cert_name, "edge"), self
        )
        own = [
            validation_record(
                ident.name("certificate", "validation", entry),
                cert,
                domain,
                args.zone_id,
                self,
            )
            for entry, domain in cluster_names.items()
        ]
        # Owned by the environment stack (see the module docstring): named here, not created.
        shared = [
            validation_option(cert, d).apply(lambda o: o.resource_record_name.rstrip("."))
            for d in env_names.values()
        ]
        validation = aws.acm.CertificateValidation(
            ident.name("certificate", "validation"),
            certificate_arn=cert.arn,
            validation_record_fqdns=[*(r.fqdn for r in own), *shared],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.certificate_arn = validation.certificate_arn
        self.register_outputs({"certificate_arn": self.certificate_arn})
