"""The project document as Pydantic models, one module per phase.

:class:`Project` holds :class:`Define`, :class:`Measure`, :class:`Analyze`,
:class:`Improve` and :class:`Control`, the evidence they cite and the history of tollgate
decisions.
"""

from dmaic.model.analyze import (
    DEFAULT_CATEGORIES,
    Analyze,
    Fishbone,
    FishboneCategory,
    FiveWhys,
    RootCause,
)
from dmaic.model.control import (
    Control,
    ControlPlanItem,
    FrozenLimits,
    Handover,
    RolloutPlan,
    RolloutUnit,
)
from dmaic.model.define import (
    CTQ,
    SIPOC,
    Charter,
    Define,
    Goal,
    Milestone,
    TargetRecord,
    TeamMember,
    VoiceOfCustomer,
)
from dmaic.model.improve import (
    AP_TABLE,
    FMEARow,
    Improve,
    Pilot,
    PilotResult,
    SelectionCriterion,
    SelectionMatrix,
    Solution,
    action_priority,
)
from dmaic.model.measure import Baseline, DataCollection, Measure, MeasurementSystem
from dmaic.model.project import SCHEMA_VERSION, FailedCheck, Override, Project, Transition

__all__ = [
    "AP_TABLE", "CTQ", "DEFAULT_CATEGORIES", "SCHEMA_VERSION", "SIPOC", "Analyze", "Baseline",
    "Charter", "Control", "ControlPlanItem", "DataCollection", "Define", "FMEARow",
    "FailedCheck", "Fishbone", "FishboneCategory", "FiveWhys", "FrozenLimits", "Goal",
    "Handover", "Improve", "Measure", "MeasurementSystem", "Milestone", "Override", "Pilot",
    "PilotResult", "Project", "RolloutPlan", "RolloutUnit", "RootCause", "SelectionCriterion",
    "SelectionMatrix", "Solution", "TargetRecord",
    "TeamMember", "Transition", "VoiceOfCustomer", "action_priority",
]
