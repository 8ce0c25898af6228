"""Compute of one colour: the EKS control plane and its record, managed add-ons, node groups.

`cluster.Cluster` returns the `record.ClusterRecord` every later component takes; `addons`
installs the pinned EKS add-ons in two phases around `nodegroups`; `instance_types` is the
catalogue of EC2 shapes that config validation and the cost report read. Importing this package
loads nothing: config validation uses the catalogue without the Pulumi SDK.
"""
