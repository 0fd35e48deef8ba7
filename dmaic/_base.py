"""The base class of every part of the project document, and the cross-field error collector."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = ["DmaicModel", "Problems"]


class DmaicModel(BaseModel):
    """An editable, strictly-shaped part of the project document.

    Unknown keys are rejected (a misspelt field is an error, not silently dropped),
    assignments are validated, and floats must be finite so that the document is strict
    JSON. ``list.append`` on a field bypasses validation: edit through
    :meth:`dmaic.Project.set` / :meth:`dmaic.Project.append`, which re-validate the whole
    document and roll back on failure.
    """

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, allow_inf_nan=False, validate_default=True
    )


class Problems:
    """Collects every cross-field problem of a model, then raises them together.

    Each problem becomes one entry of a :class:`pydantic.ValidationError` with type
    ``"cross_field"`` and a ``loc`` relative to the model being validated; Pydantic
    prefixes the location of the model inside its parents, so the final ``loc`` points
    from the project root to the offending field (``("define", "charter", "goal",
    "target")``).
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.items: list[InitErrorDetails] = []

    def add(self, loc: tuple[str | int, ...], message: str, value: Any = None) -> None:
        """Record a problem at ``loc`` (relative to the model) with the offending value."""
        self.items.append(InitErrorDetails(
            type=PydanticCustomError("cross_field", "{message}", {"message": message}),
            loc=loc, input=value,
        ))

    def raise_if_any(self) -> None:
        """Raise one ValidationError holding every recorded problem, if there are any."""
        if self.items:
            raise ValidationError.from_exception_data(self.title, self.items)
