"""The API's routers, one per file; :func:`serve.app.create_app` includes :data:`ROUTERS` in this order."""

from serve.routes.appeals import router as appeals_router
from serve.routes.check import router as check_router
from serve.routes.comments import router as comments_router
from serve.routes.health import router as health_router
from serve.routes.model import router as model_router

ROUTERS = (check_router, comments_router, model_router, appeals_router, health_router)

__all__ = ["ROUTERS"]
