"""Delivery: how a team's function gets from a commit to both colours (docs/delivery.md).

Owns the environment's image registry (`registry.Registry`, built by the environment stack: one
KMS-encrypted, scan-on-push, immutable-tag repository per team and function, its lifecycle and
repository policy, and each team's pipeline role, federated by OIDC); per colour, the identities
around it (`identities.FunctionIdentities`: each team's function role through IRSA inside the
platform's permissions boundary; `identities.ImageResolver`: the Knative controller's role for
tag-to-digest resolution through EKS Pod Identity); the JSON documents of all of these
(`documents`), and how a team member reaches its namespace (`access`).
"""
