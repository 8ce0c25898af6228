"""The one import of the offline pack runner (it moves to `policies.check` with the restructure)."""

from faas_tools.policycheck import PolicyReport, Violation, check_document

__all__ = ["PolicyReport", "Violation", "check_document"]
