"""The people's pages (writer's check page, moderator's queue, appeal status) and the offline API documentation;
:func:`install` adds them to the app."""

from serve.pages.routes import install

__all__ = ["install"]
