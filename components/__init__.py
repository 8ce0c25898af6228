"""The Pulumi program: one ComponentResource per concern, grouped by domain (docs/design.md).

`platform.main` is the entry point; `config.load` validates a stack's config first. Packages:
config (stack config), network, compute (cluster, add-ons, node groups), edge (zone, certificate,
load balancers), dns (the environment's zone and weighted records), serving (Istio, Knative and
what runs on them), shared (keys, log groups, IAM documents, identity); `naming`, `versions` and
`constants` hold every name, every pin and every fact more than one layer uses.
"""
