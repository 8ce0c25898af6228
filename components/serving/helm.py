"""Install a pinned chart: `helm.v3.Release` with chart, version and repo from the colour's release.

`helm.v3.Release` registers a single resource whose inputs carry the chart, version, repository,
namespace and values, so the offline plan and the policy rules can read every choice
(docs/design.md, "visible offline"); `helm.v4.Chart` would be opaque under the mock monitor.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_kubernetes.helm.v3 import Release, ReleaseArgs, RepositoryOptsArgs

from components.versions import Release as PinnedRelease


def pinned_release(
    name: str,
    chart_key: str,
    namespace: pulumi.Input[str],
    values: pulumi.Input[dict[str, Any]],
    opts: pulumi.ResourceOptions,
    create_namespace: bool = False,
    skip_crds: bool = False,
    *,
    release: PinnedRelease,
) -> Release:
    """Helm release `name` of the chart `release` pins under `chart_key` (components/versions.py):
    the colour's catalogue release decides the version, so blue and green can differ.

    An `oci://` repository has no index to look a chart up in: Helm takes the chart as
    `oci://<registry>/<path>/<chart>` and no repository options
    (https://helm.sh/docs/topics/registries/).
    """
    pin = release.chart(chart_key)
    oci = pin["repo"].startswith("oci://")
    return Release(
        name,
        ReleaseArgs(
            name=name,
            chart=f"{pin['repo']}/{pin['chart']}" if oci else pin["chart"],
            version=pin["version"],
            repository_opts=None if oci else RepositoryOptsArgs(repo=pin["repo"]),
            namespace=namespace,
            create_namespace=create_namespace,
            skip_crds=skip_crds or None,
            values=values,
            # Wait for workloads to be ready so dependants (CRs, bindings) see a working API.
            skip_await=False,
            atomic=True,
            cleanup_on_fail=True,
            timeout=900,
        ),
        opts,
    )
