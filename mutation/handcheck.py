"""`python -m mutation.handcheck`: the regressions the mutation report once showed surviving,
applied by hand one at a time, each with the test named to catch it (docs/testing.md).

For each case: copy the tracked tree to a temporary folder, apply the edit (a driver mutant by
id, or a text replacement for an edit no operator makes), run the named test there (it must
fail), revert, run it again (it must pass). Prints one line per case; exit 1 if a test did not
fail under its edit or does not pass without it. The work tree is never changed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

# (the regression, how to make it: ("id", mutant id) or ("text", path, old, new), the test)
CASES: list[tuple[str, tuple[str, ...], str]] = [
    # (kind, how, test)
    (
        "DMZ check lets any port through (and -> or)",
        ("id", "policies/rules/network.py:147:boolop:b7a8e241"),
        "tests/test_policy_rule_edges.py::test_world_ingress_edges[dmz-other-port]",
    ),
    (
        "separate security group rules never checked",
        ("id", "policies/rules/network.py:168:drop-yield:e83231f4"),
        "tests/test_policy_rule_edges.py::test_world_ingress_edges[rule-dmz-22]",
    ),
    (
        "edge-tagged group treated as DMZ (and -> or)",
        ("id", "policies/rules/network.py:112:boolop:c01557db"),
        "tests/test_policy_rule_edges.py::test_world_ingress_edges[edge-but-not-dmz]",
    ),
    (
        "omitted endpointPublicAccess passes (default True -> False)",
        ("id", "policies/rules/eks.py:47:constant:05685f61"),
        "tests/test_policy_rule_edges.py::test_eks_rule_edges[public-access-omitted-no-cidrs]",
    ),
    (
        "soak deleted (soak <= 0 -> soak > 0: every soak skipped)",
        ("id", "faas/ops/cutover/shift.py:348:compare:15ab780a"),
        "tests/test_cutover_recovery.py::test_soak_sleeps_in_one_second_slices_and_is_totalled",
    ),
    (
        "soak deleted by hand (the call replaced by 0.0)",
        (
            "text",
            "faas/ops/cutover/shift.py",
            "step.soak_s = self._soak(soak, name)",
            "step.soak_s = 0.0",
        ),
        "tests/test_cutover_recovery.py::test_soak_sleeps_in_one_second_slices_and_is_totalled",
    ),
    (
        "failed rollback exits 0 (its _finish dropped)",
        ("id", "faas/ops/cutover/shift.py:377:drop-call:e1b60e1a"),
        "tests/test_cutover_recovery.py::test_failed_rollback_exits_3_and_keeps_the_lock",
    ),
    (
        "failed rollback releases the lock anyway (by hand)",
        (
            "text",
            "faas/ops/cutover/shift.py",
            """                f"with --to {other(o.target)} --break-lock.",
            )
            return""",
            """                f"with --to {other(o.target)} --break-lock.",
            )
            self._drop_lock()
            return""",
        ),
        "tests/test_cutover_recovery.py::test_failed_rollback_exits_3_and_keeps_the_lock",
    ),
    (
        "lock taken with UPSERT (both operators win the race)",
        (
            "text",
            "faas/ops/cutover/lock.py",
            '{"Action": "CREATE", "ResourceRecordSet": _txt(lock.name, lock.value)}',
            '{"Action": "UPSERT", "ResourceRecordSet": _txt(lock.name, lock.value)}',
        ),
        "tests/test_cutover_recovery.py::test_two_operators_taking_the_lock_at_once",
    ),
    (
        "break-lock batch without its DELETE",
        ("id", "faas/ops/cutover/lock.py:216:compare:a8b9fa1a"),
        "tests/test_cutover_recovery.py::test_break_lock_deletes_the_stale_lock_in_the_same_batch",
    ),
    (
        "any TXT record read as a lock (and -> or)",
        ("id", "faas/ops/cutover/lock.py:175:boolop:c2a85ffa"),
        "tests/test_cutover_recovery.py::test_only_the_lock_record_is_read_as_a_lock",
    ),
    (
        "VPC smaller than /20 accepted (PREFIXES 20 -> 21)",
        ("text", "components/config/network.py", "PREFIXES = (16, 20)", "PREFIXES = (16, 21)"),
        "tests/test_config_bounds.py::test_config_edges[vpc-/21]",
    ),
    (
        "default of an optional key changed (natStrategy perAz -> single)",
        (
            "text",
            "components/config/network.py",
            'r.str("natStrategy", "perAz"',
            'r.str("natStrategy", "single"',
        ),
        "tests/test_config_bounds.py::test_defaults_of_optional_keys",
    ),
    (
        "bounded number edge moved (diskSizeGb lo 20 -> 21)",
        (
            "text",
            "components/config/nodegroups.py",
            'r.int("diskSizeGb", 50, lo=20',
            'r.int("diskSizeGb", 50, lo=21',
        ),
        "tests/test_config_bounds.py::test_config_edges[disk-20]",
    ),
]


def _pytest(where: Path, test: str) -> int:
    argv = [PY, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-o", "addopts=", test]
    return subprocess.run(argv, cwd=where, capture_output=True, text=True).returncode


def check(where: Path, how: tuple[str, ...], test: str) -> tuple[bool, bool]:
    """(the test failed under the edit, it passes without it)."""
    if how[0] == "id":
        subprocess.run([PY, "-m", "mutation", "--apply", how[1]], cwd=where, check=True,
                       capture_output=True)  # fmt: skip
    else:
        _, path, old, new = how
        original = (where / path).read_text()
        assert original.count(old) == 1, f"{path}: the text to replace is not there once: {old!r}"
        (where / path).write_text(original.replace(old, new))
    failed = _pytest(where, test) == 1
    if how[0] == "id":
        subprocess.run([PY, "-m", "mutation", "--revert", how[1]], cwd=where, check=True,
                       capture_output=True)  # fmt: skip
    else:
        (where / how[1]).write_text(original)
    return failed, _pytest(where, test) == 0


def main() -> int:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()  # fmt: skip
    ok = True
    with tempfile.TemporaryDirectory(prefix="handcheck-") as tmp:
        where = Path(tmp)
        for name in files:
            if (ROOT / name).is_file():
                (where / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, where / name)
        for kind, how, test in CASES:
            failed, passes = check(where, how, test)
            ok = ok and failed and passes
            verdict = "fails under the edit" if failed else "DID NOT FAIL"
            print(f"{kind}: {test} {verdict}; {'passes' if passes else 'FAILS'} without it")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
