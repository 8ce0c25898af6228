"""Mock-engine tests of `ServingPlatform` with the dev-blue serving config.

The program runs once under Pulumi's mock monitor (preview=False, so applies run); every registered
resource is recorded with its inputs and the tests assert on those records after the run.
"""

from __future__ import annotations

import json

import pytest
import yaml

from components import config, naming
from components import constants as c
from components.compute.record import ClusterRecord
from components.config.stackfile import read_stack_file
from components.edge import EntryPointRecord
from components.serving import ServingArgs, ServingPlatform
from components.serving.podsecurity import restricted_violations
from components.shared.identity import Identity
from faas.contracts import validate_cr
from faas.plan.engine import run_program

OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
TG = {
    "dmz": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/dmz/1",
    "internal": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/int/2",
}


@pytest.fixture(scope="module")
def cfg():
    return config.load("dev-blue", read_stack_file("dev-blue"))


@pytest.fixture(scope="module")
def resources(cfg):
    """Every registration of one ServingPlatform, recorded by the offline engine's monitor after
    the run completed (preview=False, every output resolved)."""

    def program() -> None:
        ServingPlatform(
            "serving",
            ServingArgs(
                identity=Identity(cfg.environment, cfg.color),
                settings=cfg.serving,
                base_domain=cfg.base_domain,
                cluster=ClusterRecord(
                    name="faas-dev-blue",
                    endpoint="https://eks.example",
                    oidc_provider_arn=OIDC_ARN,
                    oidc_issuer=ISSUER,
                    region=cfg.region,
                    security_group_id="sg-nodes",
                    kubeconfig="{}",
                    release=cfg.release,
                ),
                vpc_id="vpc-123",
                entry_points={
                    "dmz": EntryPointRecord(TG["dmz"], "sg-dmz"),
                    "internal": EntryPointRecord(TG["internal"], "sg-int"),
                },
            ),
        )

    run = run_program("dev-blue", read_stack_file("dev-blue"), program)
    return [{"type": r.type, "name": r.name, "inputs": r.inputs} for r in run.resources]


def of_type(resources, typ):
    return [r for r in resources if r["type"] == typ]


def releases(resources):
    return {
        r["inputs"]["name"]: r["inputs"]
        for r in of_type(resources, "kubernetes:helm.sh/v3:Release")
    }


def custom(resources, kind):
    return [
        r["inputs"]
        for r in resources
        if r["type"].startswith("kubernetes:") and r["type"].endswith(f":{kind}")
    ]


def one(items):
    assert len(items) == 1, items
    return items[0]


# --- Helm releases -------------------------------------------------------------------------------

EXPECTED_RELEASES = {
    "istio-base": "istio-base",
    "istio-cni": "istio-cni",
    "istiod": "istiod",
    "istio-dmz-gateway": "istio-gateway",
    "istio-internal-gateway": "istio-gateway",
    "aws-load-balancer-controller": "aws-load-balancer-controller",
    "knative-operator": "knative-operator",
    "kube-prometheus-stack": "kube-prometheus-stack",
    "otel-collector": "opentelemetry-collector",
    "aws-for-fluent-bit": "aws-for-fluent-bit",
}


def test_every_release_is_pinned(resources, cfg):
    rel = releases(resources)
    assert set(rel) == set(EXPECTED_RELEASES)
    for name, key in EXPECTED_RELEASES.items():
        pin = cfg.release.chart(key)
        assert rel[name]["chart"] == pin["chart"], name
        assert rel[name]["version"] == pin["version"], name
        assert rel[name]["repositoryOpts"]["repo"] == pin["repo"], name


def _tolerates_system(values) -> bool:
    taint = naming.SYSTEM_TAINT
    for tol in values.get("tolerations") or []:
        if tol.get("operator") == "Exists" and "key" not in tol:
            return True
        if tol.get("key") == taint["key"] and tol.get("effect") == "NoSchedule":
            return True
    return False


def _on_system(values) -> bool:
    selector = values.get("nodeSelector") or {}
    affinity = json.dumps(values.get("affinity") or {})
    return _tolerates_system(values) and (
        selector.get(naming.POOL_LABEL) == naming.SYSTEM_POOL or naming.POOL_LABEL in affinity
    )


def test_platform_components_tolerate_the_system_taint(resources):
    rel = releases(resources)
    v = {n: r["values"] for n, r in rel.items()}
    placed = {
        "istiod": v["istiod"]["pilot"],
        "istio-dmz-gateway": v["istio-dmz-gateway"],
        "istio-internal-gateway": v["istio-internal-gateway"],
        "aws-load-balancer-controller": v["aws-load-balancer-controller"],
        "knative-operator": v["knative-operator"]["knative_operator"]["knative_operator"],
        "knative-operator-webhook": v["knative-operator"]["knative_operator"]["operator_webhook"],
        "prometheus": v["kube-prometheus-stack"]["prometheus"]["prometheusSpec"],
        "prometheus-operator": v["kube-prometheus-stack"]["prometheusOperator"],
        "otel-collector": v["otel-collector"],
    }
    for name, values in placed.items():
        assert _on_system(values), name
    # Node agents run everywhere, system nodes included.
    for name in ("istio-cni", "aws-for-fluent-bit"):
        assert _tolerates_system(v[name]), name
    assert "cni" not in v["istio-cni"] and v["istio-cni"]["chained"] is True
    serving = one(custom(resources, "KnativeServing"))["spec"]
    eventing = one(custom(resources, "KnativeEventing"))["spec"]
    for workload in [*serving["workloads"], *eventing["workloads"]]:
        assert _on_system(workload), workload["name"]
        assert workload["replicas"] >= 2, workload["name"]
    assert {w["name"] for w in serving["workloads"]} >= {"activator", "controller", "autoscaler"}


def test_gateways_are_cluster_ip_with_http_on_8080_and_ha(resources):
    rel = releases(resources)
    for entry in ("dmz", "internal"):
        values = rel[f"istio-{entry}-gateway"]["values"]
        assert values["service"]["type"] == "ClusterIP"
        http = [p for p in values["service"]["ports"] if p["targetPort"] == 8080]
        assert one(http)["port"] == c.GATEWAY_HTTP_PORT
        assert values["labels"]["istio"] == f"{entry}-gateway"
        assert values["autoscaling"]["minReplicas"] >= 2
        assert values["podDisruptionBudget"]["minAvailable"] >= 1


def test_load_balancer_controller_gets_region_vpc_and_irsa(resources, cfg):
    values = releases(resources)["aws-load-balancer-controller"]["values"]
    assert values["region"] == cfg.region
    assert values["vpcId"] == "vpc-123"
    assert values["clusterName"] == "faas-dev-blue"
    assert values["serviceAccount"]["name"] == "aws-load-balancer-controller"
    assert values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].startswith(
        "arn:aws:iam"
    )
    assert values["enableServiceMutatorWebhook"] is False
    # TargetGroupBinding only: the Service reconciler is switched off by its feature gate and the
    # Ingress reconciler gets no class to act on.
    assert values["controllerConfig"]["featureGates"] == {"EnableServiceController": False}
    assert values["createIngressClassResource"] is False
    assert values["ingressClassParams"] == {"create": False}
    assert values["disableIngressClassAnnotation"] is True


def test_target_group_bindings_wire_each_nlb_to_its_gateway(resources):
    bindings = {b["metadata"]["name"]: b for b in custom(resources, "TargetGroupBinding")}
    assert set(bindings) == {"dmz-gateway", "internal-gateway"}
    for entry, sg in (("dmz", "sg-dmz"), ("internal", "sg-int")):
        b = bindings[f"{entry}-gateway"]
        assert b["apiVersion"] == "elbv2.k8s.aws/v1beta1"
        spec = b["spec"]
        assert spec["targetGroupARN"] == TG[entry]
        assert spec["targetType"] == "ip"
        assert spec["serviceRef"] == {"name": f"istio-{entry}-gateway", "port": 80}
        rule = one(spec["networking"]["ingress"])
        assert rule["from"] == [{"securityGroup": {"groupID": sg}}]
        assert {p["port"] for p in rule["ports"]} == {8080, 15021}


def _role(resources, suffix):
    return one(
        [r["inputs"] for r in of_type(resources, "aws:iam/role:Role") if r["name"].endswith(suffix)]
    )


def _role_policy(resources, suffix):
    rp = of_type(resources, "aws:iam/rolePolicy:RolePolicy")
    return json.loads(one([r["inputs"] for r in rp if r["name"].endswith(suffix)])["policy"])


def test_lb_controller_role_is_least_privilege(resources):
    trust = json.loads(_role(resources, "lb-controller")["assumeRolePolicy"])
    cond = one(trust["Statement"])["Condition"]["StringEquals"]
    assert cond == {
        f"{ISSUER}:sub": "system:serviceaccount:kube-system:aws-load-balancer-controller",
        f"{ISSUER}:aud": "sts.amazonaws.com",
    }
    policy = _role_policy(resources, "lb-controller")
    for st in policy["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        assert all("*" not in a for a in actions), st
        if st["Resource"] == "*":
            assert all(":Describe" in a for a in actions), st
    by_sid = {st["Sid"]: st for st in policy["Statement"]}
    assert sorted(by_sid["RegisterGatewayPods"]["Resource"]) == sorted(TG.values())
    assert by_sid["OpenNodeSecurityGroupToNlbs"]["Resource"] == (
        "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-nodes"
    )


def test_fluent_bit_logs_to_encrypted_group_with_retention(resources, cfg):
    group = one([r["inputs"] for r in of_type(resources, "aws:cloudwatch/logGroup:LogGroup")])
    assert group["retentionInDays"] == cfg.serving.log_retention_days
    assert group["kmsKeyId"].startswith("arn:aws:kms")
    key = one([r["inputs"] for r in of_type(resources, "aws:kms/key:Key")])
    assert key["enableKeyRotation"] is True
    values = releases(resources)["aws-for-fluent-bit"]["values"]
    assert values["cloudWatchLogs"]["logGroupName"] == group["name"]
    assert values["cloudWatchLogs"]["autoCreateGroup"] is False
    trust = json.loads(_role(resources, "fluent-bit")["assumeRolePolicy"])
    assert one(trust["Statement"])["Condition"]["StringEquals"][f"{ISSUER}:sub"] == (
        "system:serviceaccount:observability:aws-for-fluent-bit"
    )
    actions = one(_role_policy(resources, "fluent-bit")["Statement"])["Action"]
    assert "logs:CreateLogGroup" not in actions


# --- Knative -------------------------------------------------------------------------------------


def test_knative_serving_domains_and_gateway_selection(resources, cfg):
    spec = one(custom(resources, "KnativeServing"))["spec"]
    assert spec["version"] == cfg.release.knative
    conf = spec["config"]
    assert conf["network"]["domain-template"] == "{{.Name}}-{{.Namespace}}.{{.Domain}}"
    domain = conf["domain"]
    assert domain["internal.faas.dev.example.com"] == ""
    assert yaml.safe_load(domain["faas.dev.example.com"]) == {
        "selector": {"faas.platform/exposure": "dmz"}
    }
    external = yaml.safe_load(conf["istio"]["external-gateways"])
    default = one([g for g in external if "labelSelector" not in g])
    dmz = one([g for g in external if "labelSelector" in g])
    assert default["service"] == "istio-internal-gateway.istio-system.svc.cluster.local"
    assert dmz["service"] == "istio-dmz-gateway.istio-system.svc.cluster.local"
    assert dmz["labelSelector"] == {"matchLabels": {"faas.platform/exposure": "dmz"}}
    assert spec["ingress"]["istio"]["knative-ingress-gateway"]["selector"] == {
        "istio": "internal-gateway"
    }
    gw = one([g for g in custom(resources, "Gateway") if g["metadata"]["name"] == dmz["name"]])
    assert gw["spec"]["selector"] == {"istio": "dmz-gateway"}


def test_knative_autoscaling_gc_features_and_tracing(resources, cfg):
    s = cfg.serving
    conf = one(custom(resources, "KnativeServing"))["spec"]["config"]
    assert conf["autoscaler"]["enable-scale-to-zero"] == "true"
    assert conf["defaults"]["container-concurrency"] == str(s.container_concurrency)
    assert conf["gc"]["max-non-active-revisions"] == str(s.revision_max_non_active)
    assert conf["gc"]["retain-since-last-active-time"] == s.revision_retain_since_last_active
    assert conf["features"]["secure-pod-defaults"] == "enabled"
    assert conf["features"]["tag-header-based-routing"] == "enabled"
    assert conf["network"]["tag-template"] == "{{.Tag}}-{{.Name}}"
    assert conf["observability"]["tracing-endpoint"] == (
        "http://otel-collector.observability.svc.cluster.local:4317"
    )
    pdbs = {
        p["name"]: p
        for p in one(custom(resources, "KnativeServing"))["spec"]["podDisruptionBudgets"]
    }
    assert pdbs["activator-pdb"]["minAvailable"] == 1


def test_tracing_reaches_the_configured_backend(resources, cfg):
    rel = releases(resources)
    collector = rel["otel-collector"]["values"]
    assert collector["mode"] == "deployment"
    # The k8s image ships /otelcol-k8s; the chart runs /<command.name>.
    assert collector["image"]["repository"].endswith("/opentelemetry-collector-k8s")
    assert collector["command"] == {"name": "otelcol-k8s"}
    exporters = rel["otel-collector"]["values"]["config"]["exporters"]
    assert exporters["otlp/backend"]["endpoint"] == cfg.serving.tracing.otlp_endpoint
    provider = one(rel["istiod"]["values"]["meshConfig"]["extensionProviders"])
    assert provider["opentelemetry"]["service"] == "otel-collector.observability.svc.cluster.local"
    telemetry = one(custom(resources, "Telemetry"))["spec"]["tracing"][0]
    assert telemetry["randomSamplingPercentage"] == cfg.serving.tracing.sample_rate * 100


def test_eventing_has_a_default_broker(resources, cfg):
    spec = one(custom(resources, "KnativeEventing"))["spec"]
    assert spec["version"] == cfg.release.knative
    assert "MTChannelBasedBroker" in spec["config"]["config-br-defaults"]["default-br-config"]


def test_cluster_names_are_rewritten_on_this_clusters_gateways(resources):
    ef = one(custom(resources, "EnvoyFilter"))
    lua = ef["spec"]["configPatches"][0]["patch"]["value"]["typed_config"]["default_source_code"]
    assert '".faas-blue.dev.example.com"' in lua["inline_string"]
    assert '".faas.dev.example.com"' in lua["inline_string"]
    assert ef["spec"]["configPatches"][0]["patch"]["operation"] == "INSERT_FIRST"


# --- Auth ----------------------------------------------------------------------------------------


def test_dmz_requires_a_jwt_from_the_configured_issuer(resources, cfg):
    ra = one(custom(resources, "RequestAuthentication"))["spec"]
    assert ra["selector"] == {"matchLabels": {"istio": "dmz-gateway"}}
    assert one(ra["jwtRules"])["issuer"] == cfg.serving.oidc.issuer
    assert one(ra["jwtRules"])["jwksUri"] == cfg.serving.oidc.jwks_uri
    ap = one(custom(resources, "AuthorizationPolicy"))["spec"]
    assert ap["action"] == "ALLOW"
    assert {"from": [{"source": {"requestPrincipals": ["*"]}}]} in ap["rules"]
    public_hosts = [r["to"][0]["operation"]["hosts"] for r in ap["rules"] if "hosts" in str(r)]
    assert "smoke-faas-smoke.faas-blue.dev.example.com" in one(public_hosts)


# --- Tenants -------------------------------------------------------------------------------------


def test_each_team_gets_a_fenced_namespace(resources, cfg):
    namespaces = {n["metadata"]["name"]: n for n in custom(resources, "Namespace")}
    quotas = {q["metadata"]["namespace"]: q for q in custom(resources, "ResourceQuota")}
    limits = {q["metadata"]["namespace"] for q in custom(resources, "LimitRange")}
    policies = custom(resources, "NetworkPolicy")
    bindings = {b["metadata"]["namespace"]: b for b in custom(resources, "RoleBinding")}
    entries = {
        e["principalArn"]: e
        for e in (r["inputs"] for r in of_type(resources, "aws:eks/accessEntry:AccessEntry"))
    }
    assert cfg.serving.teams
    for team in cfg.serving.teams:
        labels = namespaces[team.name]["metadata"]["labels"]
        for mode in ("enforce", "audit", "warn"):
            assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[naming.TENANT_LABEL] == team.name
        assert quotas[team.name]["spec"]["hard"]["pods"] == str(team.pods)
        assert quotas[team.name]["spec"]["hard"]["requests.cpu"] == team.cpu
        assert team.name in limits
        mine = [p for p in policies if p["metadata"]["namespace"] == team.name]
        deny = one([p for p in mine if not p["spec"].get("ingress")])
        assert deny["spec"]["podSelector"] == {} and deny["spec"]["policyTypes"] == ["Ingress"]
        allow = one([p for p in mine if p["spec"].get("ingress")])
        sources = {
            peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
            for peer in allow["spec"]["ingress"][0]["from"]
        }
        assert {"istio-system", "knative-serving"} <= sources
        group = one(bindings[team.name]["subjects"])["name"]
        assert entries[team.iam_role_arn]["kubernetesGroups"] == [group]
    assert namespaces["istio-system"]["metadata"]["labels"][
        "pod-security.kubernetes.io/enforce"
    ] == ("privileged")


# --- Pod security of what we render ourselves ----------------------------------------------------


def _rendered_pod_specs(resources):
    """Pod specs the project writes itself (not inside Helm releases)."""
    specs = []
    for r in resources:
        kind = r["type"].rsplit(":", 1)[-1]
        spec = r["inputs"].get("spec") or {}
        is_ksvc = kind == "Service" and r["inputs"].get("apiVersion") == "serving.knative.dev/v1"
        if kind in {"Deployment", "StatefulSet", "DaemonSet", "Job"} or is_ksvc:
            specs.append((r["name"], spec["template"]["spec"]))
        elif kind == "Pod":
            specs.append((r["name"], spec))
    return specs


def test_rendered_workloads_pass_restricted(resources):
    specs = _rendered_pod_specs(resources)
    assert any(name.endswith("smoke-ksvc") for name, _ in specs)
    for name, spec in specs:
        assert restricted_violations(spec) == [], name


def test_smoke_service_is_dmz_and_answers_where_the_cutover_probes(resources):
    ksvc = one([r["inputs"] for r in resources if r["name"].endswith("smoke-ksvc")])
    assert ksvc["metadata"]["name"] == naming.SMOKE_SERVICE
    assert ksvc["metadata"]["namespace"] == naming.SMOKE_NAMESPACE
    assert ksvc["metadata"]["labels"] == {naming.EXPOSURE_LABEL: "dmz"}
    smoke_ns = one(
        [n for n in custom(resources, "Namespace") if n["metadata"]["name"] == "faas-smoke"]
    )
    assert smoke_ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    # Tenant-labelled, so fenced like a team namespace.
    for kind in ("ResourceQuota", "LimitRange", "NetworkPolicy"):
        assert [x for x in custom(resources, kind) if x["metadata"]["namespace"] == "faas-smoke"]


def test_smoke_service_has_a_liveness_probe_knative_accepts(resources):
    ksvc = one([r["inputs"] for r in resources if r["name"].endswith("smoke-ksvc")])
    (container,) = ksvc["spec"]["template"]["spec"]["containers"]
    probe = container["livenessProbe"]
    # http-echo's own health endpoint; no port (Knative probes the one container port and
    # refuses a different one); the CR as a whole is validated in tests/test_contracts.py.
    assert probe["httpGet"] == {"path": "/health"}
    assert probe["periodSeconds"] > 0 and probe["failureThreshold"] >= 3
    assert validate_cr(ksvc) == []


def test_component_tree_uses_house_type_tokens(resources):
    comps = [r for r in resources if r["type"].startswith("faas:")]
    assert one([r for r in comps if r["type"] == "faas:serving:ServingPlatform"])
    # Serving's own components, plus the shared building blocks it composes (encrypted logs).
    shared = {"faas:logs:EncryptedLogGroup", "faas:kms:EncryptionKey"}
    assert all(r["type"].startswith("faas:serving:") or r["type"] in shared for r in comps)
