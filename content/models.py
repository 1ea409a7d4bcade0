"""Every table of the CMS core, imported together so migrations and the app see them all."""

from content.auth.models import AuthSession, LoginFailure, User, UserRole
from content.auth.second_factor.models import RecoveryCode, SecondFactor
from content.items.models import ContentItem
from content.jobs.models import JobRun
from content.media.models import MediaFile
from content.revisions.models import Revision
from content.search.models import SearchDocument
from content.workflow.models import WorkflowEvent

__all__ = [
    "AuthSession",
    "ContentItem",
    "JobRun",
    "LoginFailure",
    "MediaFile",
    "RecoveryCode",
    "Revision",
    "SearchDocument",
    "SecondFactor",
    "User",
    "UserRole",
    "WorkflowEvent",
]
