"""Schemas of ``/v1/models``: the loaded models' cards and the operating point the server decides with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class OperatingPoint(BaseModel):
    threshold: float
    review_threshold: float
    overridden: bool = Field(description="thresholds set by the server's settings instead of the model card")


class ModelsOut(BaseModel):
    ad: dict[str, Any] = Field(description="the ad model's card, as stored in its artifact")
    comments: dict[str, Any] | None = Field(description="the comment-sentiment model's card, when loaded")
    operating_point: OperatingPoint
