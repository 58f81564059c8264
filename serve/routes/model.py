"""``GET /v1/model``: the model cards of the loaded models and the operating point in use."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from serve.deps import LoadedModels, get_models, require_api_key
from serve.schemas import ERROR_RESPONSES, ModelsOut, OperatingPoint

router = APIRouter(prefix="/v1", tags=["model"], dependencies=[Depends(require_api_key)], responses=ERROR_RESPONSES)


@router.get("/model", response_model=ModelsOut, summary="Model cards of the loaded models")
async def model_cards(models: Annotated[LoadedModels, Depends(get_models)]) -> ModelsOut:
    """The ad model's card exactly as stored in its artifact (`model_card.json`), the comment model's card, and
    the thresholds in use (the card's unless the server's settings override them)."""
    return ModelsOut(
        ad=models.ad.card,
        comments=models.comment_card,
        operating_point=OperatingPoint(
            threshold=models.ad.threshold,
            review_threshold=models.ad.review_threshold,
            overridden=models.thresholds_overridden,
        ),
    )
