"""From a study's Protocol to the settings of its adaptive blocks, with the checks that give a
clear message naming the field."""
from __future__ import annotations

from tasks.psychometrics.dimensions import ADAPTIVE_DIMENSIONS
from tasks.adaptive.procedures import AdaptiveSettings, ProcedureError


def settings_of(protocol) -> AdaptiveSettings:
    return AdaptiveSettings(procedure=protocol.adaptive_procedure, max_trials=protocol.adaptive_max_trials,
                            stop_ci_width_ratio=protocol.adaptive_stop_ci_width_ratio,
                            min_trials=protocol.adaptive_min_trials,
                            start_step_factor=protocol.adaptive_start_step_factor,
                            reversals_per_halving=protocol.adaptive_reversals_per_halving,
                            step_halvings=protocol.adaptive_step_halvings,
                            threshold_reversals=protocol.adaptive_threshold_reversals)


class AdaptiveProtocolError(ValueError):
    """The adaptive fields of a protocol cannot be run; the message names the field (the study's
    plan turns it into its own PlanError)."""


def check_protocol(protocol) -> None:
    """Raise AdaptiveProtocolError when the adaptive fields cannot be run."""
    dims = protocol.adaptive_dimensions
    if not isinstance(dims, list) or not all(isinstance(d, str) for d in dims):
        raise AdaptiveProtocolError(f"adaptive_dimensions must be a list of dimension names, not {dims!r}")
    unknown = [d for d in dims if d not in ADAPTIVE_DIMENSIONS]
    if unknown:
        raise AdaptiveProtocolError(f"adaptive_dimensions: unknown {', '.join(map(repr, unknown))}; known: {', '.join(ADAPTIVE_DIMENSIONS)}")
    if len(set(dims)) != len(dims):
        raise AdaptiveProtocolError(f"adaptive_dimensions names a dimension twice: {dims}")
    try:
        settings_of(protocol)
    except (ProcedureError, TypeError) as exc:
        raise AdaptiveProtocolError(str(exc)) from None
