"""Which name a function gets, and which gateway serves it. Pure functions, no Pulumi.

* Knative gives every Route one domain from `config-domain`: the most specific label selector wins
  (https://knative.dev/docs/serving/using-a-custom-domain/). The internal domain
  `internal.faas.<baseDomain>` has no selector (the default); the DMZ domain `faas.<baseDomain>`
  selects services labelled `faas.platform/exposure: dmz`.
* net-istio (since knative-extensions/net-istio#1250, Knative 1.14) reads `external-gateways` as a
  list whose entries may carry a `labelSelector` matched against the KIngress labels (propagated
  from the Knative Service): exactly one entry without selector is the default. So the same label
  routes a service to the DMZ gateway; everything else stays on the internal one.
* The cluster-specific names (`…faas-<color>.<baseDomain>`): Knative allows one domain per Route,
  and a DomainMapping would be one object per function that the platform does not know about. So
  the gateways rewrite the Host of a request for `*.faas-<color>.<base>` to `*.faas.<base>` before
  any other filter runs (EnvoyFilter + Lua, see `cluster_alias_lua`), and the rewritten request
  matches the VirtualService Knative generated for the environment name. Only this cluster's
  gateways answer for its colour's names, so a colour can be probed before a cutover.
"""

from __future__ import annotations

import yaml

from components import constants as c
from components import naming

DOMAIN_TEMPLATE = "{{.Name}}-{{.Namespace}}.{{.Domain}}"
# Tag URLs: `<tag>-<service>-<namespace>.<domain>`, still one label under the domain, so the same
# wildcard certificate and record cover them.
TAG_TEMPLATE = "{{.Tag}}-{{.Name}}"
DMZ_SELECTOR = {naming.EXPOSURE_LABEL: "dmz"}


def env_domains(base_domain: str) -> dict[str, str]:
    zone = naming.env_zone_name(base_domain)
    return {e: naming.entry_domain(zone, e) for e in naming.ENTRY_POINTS}


def cluster_domains(base_domain: str, color: str) -> dict[str, str]:
    zone = naming.cluster_zone_name(base_domain, color)
    return {e: naming.entry_domain(zone, e) for e in naming.ENTRY_POINTS}


def config_domain(base_domain: str) -> dict[str, str]:
    """`config-domain` data: internal by default, DMZ for labelled services."""
    d = env_domains(base_domain)
    return {
        d["internal"]: "",
        d["dmz"]: yaml.safe_dump({"selector": DMZ_SELECTOR}, sort_keys=True),
    }


def _gateway(name: str, service: str, selector: dict[str, str] | None = None) -> dict:
    entry = {
        "name": name,
        "namespace": c.KNATIVE_SERVING_NAMESPACE,
        "service": f"{service}.{c.ISTIO_NAMESPACE}.svc.cluster.local",
    }
    if selector:
        entry["labelSelector"] = {"matchLabels": selector}
    return entry


def config_istio() -> dict[str, str]:
    """`config-istio` data in net-istio's list format (one default gateway, one selected).

    Only `external-gateways` is set. net-istio fills a missing `local-gateways` with its default
    (`knative-serving/knative-local-gateway` -> `knative-local-gateway.istio-system`,
    pkg/reconciler/ingress/config/istio.go `defaultValues`), which is what we want. Spelling it
    out would break the cluster-local path: since knative/operator#2217 (fix for #2201) the
    operator moves the `knative-local-gateway` *Service* into the `namespace` of that list entry,
    which net-istio reads as the namespace of the Istio *Gateway* object (knative-serving), so the
    Service would land where no gateway pod runs.
    """
    external = [
        _gateway(c.KNATIVE_INTERNAL_GATEWAY, c.gateway_service("internal")),
        _gateway(c.KNATIVE_DMZ_GATEWAY, c.gateway_service("dmz"), DMZ_SELECTOR),
    ]
    return {"external-gateways": yaml.safe_dump(external, sort_keys=True)}


def cluster_alias_lua(base_domain: str, color: str) -> str:
    """Envoy Lua that maps `<x>.faas-<color>.<base>[:port]` to `<x>.faas.<base>`.

    Suffix match on the zone covers the internal names too (`<x>.internal.faas-<color>.<base>`).
    Replacing `:authority` clears Envoy's cached route, so routing sees the environment name.
    """
    cluster = "." + naming.cluster_zone_name(base_domain, color)
    env = "." + naming.env_zone_name(base_domain)
    return (
        "function envoy_on_request(handle)\n"
        '  local host = handle:headers():get(":authority")\n'
        "  if host == nil then return end\n"
        '  host = string.lower(string.gsub(host, ":%d+$", ""))\n'
        f'  local suffix = "{cluster}"\n'
        "  if #host > #suffix and string.sub(host, -#suffix) == suffix then\n"
        '    handle:headers():replace(":authority",'
        f' string.sub(host, 1, #host - #suffix) .. "{env}")\n'
        "  end\n"
        "end\n"
    )
