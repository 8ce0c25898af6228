"""What is mutated, which tests must kill it, and how many mutants a run samples.

A group is what the report scores: a set of files (or only some functions of a file,
`path::name`), the tests that cover them (run for every mutant of the group, nothing else: the
whole suite would take minutes per mutant), a sample size and the minimum score a run must reach
(`gate`; None: reported, not enforced). Tests that drive the code only through a real subprocess
(`faas ...` end to end) are left out: the child process would import the unmutated file.
"""

from __future__ import annotations

from dataclasses import dataclass

SEED = 20260517  # a fixed seed: the same code gives the same sample, run after run


@dataclass(frozen=True)
class Group:
    name: str
    files: tuple[str, ...]  # `path` or `path::function` (or `path::Class.method`)
    tests: tuple[str, ...]  # pytest arguments: files, node ids, -k expressions
    sample: int  # mutants per run (0: all of them)
    gate: float | None = None  # minimum score in %, or None
    about: str = ""

    def file_functions(self) -> dict[str, tuple[str, ...]]:
        """path -> the functions to mutate in it (empty: the whole file)."""
        out: dict[str, list[str]] = {}
        for item in self.files:
            path, _, func = item.partition("::")
            out.setdefault(path, [])
            if func:
                out[path].append(func)
        return {p: tuple(f) for p, f in out.items()}


_CONFIG_FILES = tuple(
    f"components/config/{name}.py"
    for name in (
        "reader",
        "__init__",
        "network",
        "cluster",
        "nodegroups",
        "edge",
        "serving",
        "environment",
        "aws",
        "stackfile",
    )
)

GROUPS: tuple[Group, ...] = (
    Group(
        "config",
        _CONFIG_FILES,
        (
            "tests/test_config.py",
            "tests/test_config_bounds.py",
            "tests/test_aws_tables.py",
            "tests/test_bad_input_stackfiles.py",
            "tests/test_delivery_config.py",
        ),
        sample=150,
        gate=90.0,
        about="config validation: the reader, every section, the pinned AWS tables, stack files",
    ),
    Group(
        "cutover",
        tuple(f"faas/ops/cutover/{n}.py" for n in ("shift", "lock", "state", "records")),
        (
            "tests/test_cutover_units.py",
            "tests/test_cutover_flow.py",
            "tests/test_cutover_recovery.py",
            "tests/test_bad_input_cutover.py",
            # The run's parity branch (the parity module itself is the group `parity`).
            "tests/test_cutover_parity.py::test_parity_holds_and_the_cutover_proceeds",
            "tests/test_cutover_parity.py::"
            "test_nothing_is_compared_when_the_other_colour_takes_no_traffic",
            "tests/test_cutover_parity.py::test_skip_parity_is_recorded",
            "tests/test_cutover_parity.py::test_a_colour_with_the_smallest_share_is_still_compared",
        ),
        sample=120,
        gate=90.0,
        about="the cutover: steps, soaks, rollback, the lock, record discovery",
    ),
    Group(
        "rules",
        ("policies/rules/network.py", "policies/rules/eks.py"),
        ("tests/test_policy_rules.py", "tests/test_policy_rule_edges.py"),
        sample=0,
        gate=90.0,
        about="policy rules where a lenient check costs most: security groups, the EKS endpoint",
    ),
    Group(
        "parity",
        ("faas/ops/cutover/parity.py", "faas/ops/cutover/kube.py"),
        ("tests/test_cutover_parity.py",),
        sample=0,
        about="the cutover's parity preflight (the colours' functions compared)",
    ),
    Group(
        "catalogue",
        ("components/versions.py",),
        ("tests/test_releases.py", "tests/test_config.py"),
        sample=0,
        about="the release catalogue",
    ),
    Group(
        "admission",
        (
            "components/serving/podsecurity.py",
            "components/capacity/podsize.py",
            "faas/admission/plan.py",
            "faas/admission/resources.py",
            "faas/admission/injection.py",
            "faas/admission/revision.py",
        ),
        ("tests/test_podsecurity.py", "tests/test_admission.py", "tests/test_config_capacity.py"),
        sample=80,
        about="the admission model: the effective pod against Pod Security restricted and quotas",
    ),
    Group(
        "arguments",
        (
            "faas/inputs.py",
            "policies/document.py",
            "faas/ops/cutover/cli.py::check_arguments",
            "faas/ops/bootstrap/cli.py::check_arguments",
            "faas/plan/cli.py::check_arguments",
        ),
        (
            "tests/test_bad_input_cutover.py",
            "tests/test_bad_input_documents.py",
            "tests/test_check_command.py",
            "tests/test_contract_properties.py",
            "-k",
            "not through_real_processes",
        ),
        sample=60,
        about="argument validation and the preview-document shape check",
    ),
)

BY_NAME = {g.name: g for g in GROUPS}
