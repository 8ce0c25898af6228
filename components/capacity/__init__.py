"""Function capacity of one colour: what a function pod costs, and the nodes that run it.

`podsize` is the one place for the sizes a function pod is made of (the function's LimitRange
defaults, queue-proxy, the Istio sidecar and its validation init container) and the arithmetic of
Kubernetes quantities, so config validation, the serving stack (Istio values, Knative
`config-deployment`, LimitRange, ResourceQuota) and the admission test all use the same numbers.
`karpenter` installs the Karpenter controller on the on-demand system nodes with its own IAM
(EKS Pod Identity), the function `NodePool`/`EC2NodeClass`, and the node role's access entry;
`interruption` is the encrypted SQS queue (with its dead-letter queue) that EventBridge feeds
with spot interruption warnings, rebalance recommendations, instance state changes and scheduled
health events; `iam` holds the controller's least-privilege policy, scoped to this cluster's tags.

Importing this package loads nothing: config validation reads `podsize` without the Pulumi SDK.
"""
