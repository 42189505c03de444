"""The core REST API: each view parses the request, calls one service and renders the result.

The rules (who may do what, what is valid) live in ``teammoa.core.services``; the domain
errors they raise become HTTP statuses in ``teammoa.core.api.exceptions``.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from teammoa.core import services
from teammoa.core.api import serializers as s
from teammoa.core.api.base import CoreAPIView, TeamScopedView
from teammoa.core.api.pagination import PostPagination
from teammoa.core.api.parsers import JSONParser
from teammoa.core.api.schema import error_responses
from teammoa.core.errors import NotFound
from teammoa.core.models import Membership, Team

# --- base views: teammoa.core.api.base (public; the sibling apps build on them) -------


def team_of(request: Request, team_id: int) -> Team:
    """The team with ``member_count`` and ``my_role`` for this user, as ``teams_of``
    annotates them: from the user's membership (read once per GET: the view's access
    check already has it) and a plain count, not ``teams_of``'s subqueries for one row."""
    try:
        membership = services.membership_of(request.user, team_id)
    except NotFound:
        raise NotFound() from None
    team = membership.team
    team.my_role = membership.role
    team.member_count = Membership.objects.filter(team_id=team.pk).count()
    return team


# --- teams ---------------------------------------------------------------------------------


class TeamListView(CoreAPIView):
    @extend_schema(tags=["teams"], summary="My teams", responses=s.TeamSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(services.teams_of(request.user), s.TeamSerializer)

    @extend_schema(
        tags=["teams"],
        summary="Create a team (you become its host)",
        request=s.TeamCreateSerializer,
        responses={201: s.TeamSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        team = services.create_team(request.user, **self.parse(s.TeamCreateSerializer))
        return self.respond(s.TeamSerializer, team_of(request, team.pk), status.HTTP_201_CREATED)


class TeamDetailView(TeamScopedView):
    host_methods = frozenset({"PATCH", "DELETE"})

    @extend_schema(tags=["teams"], responses={200: s.TeamSerializer, **error_responses(404)})
    def get(self, request: Request, team: int) -> Response:
        return self.respond(s.TeamSerializer, team_of(request, team))

    @extend_schema(
        tags=["teams"],
        summary="Edit the team (host)",
        request=s.TeamUpdateSerializer,
        responses={200: s.TeamSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, team: int) -> Response:
        services.update_team(request.user, team, **self.parse(s.TeamUpdateSerializer))
        return self.respond(s.TeamSerializer, team_of(request, team))

    @extend_schema(
        tags=["teams"],
        summary="Disband the team (host)",
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request: Request, team: int) -> Response:
        services.disband_team(request.user, team)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamJoinView(CoreAPIView):
    @extend_schema(
        tags=["teams"],
        summary="Join a team with its invite code and password",
        description=(
            "An unknown code and a wrong password give the same 400. Wrong attempts are "
            "limited per user (429 with Retry-After past the limit). 409 when you are "
            "already a member or the team is full."
        ),
        request=s.JoinSerializer,
        responses={201: s.TeamSerializer, **error_responses(400, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        membership = services.join_team(request.user, **self.parse(s.JoinSerializer))
        return self.respond(
            s.TeamSerializer, team_of(request, membership.team_id), status.HTTP_201_CREATED
        )


class TeamJoinLinkView(CoreAPIView):
    @extend_schema(
        tags=["teams"],
        summary="Join a team with an invite link",
        description=(
            "The link's token stands for the invite code and the password. 400 (naming "
            "`token`) for a token that is malformed, forged, expired, or ended by a new "
            "invite code; 409 when you are already a member or the team is full."
        ),
        request=s.JoinLinkSerializer,
        responses={201: s.TeamSerializer, **error_responses(400, 409)},
    )
    def post(self, request: Request) -> Response:
        token = self.parse(s.JoinLinkSerializer)["token"]
        membership = services.join_team_by_link(request.user, token)
        return self.respond(
            s.TeamSerializer, team_of(request, membership.team_id), status.HTTP_201_CREATED
        )


class TeamLeaveView(TeamScopedView):
    @extend_schema(
        tags=["teams"],
        summary="Leave the team",
        description=(
            "When the host leaves, the longest-standing member becomes host; when the last "
            "member leaves, the team is deleted."
        ),
        request=None,
        responses={204: None, **error_responses(404)},
    )
    def post(self, request: Request, team: int) -> Response:
        services.leave_team(request.user, team)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TransferHostView(TeamScopedView):
    host_methods = frozenset({"POST"})

    @extend_schema(
        tags=["teams"],
        summary="Hand the host role to a member (host)",
        request=s.MemberChoiceSerializer,
        responses={200: s.TeamSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, team: int) -> Response:
        data = self.parse(s.MemberChoiceSerializer)
        services.transfer_host(request.user, team, data["member"])
        return self.respond(s.TeamSerializer, team_of(request, team))


class InviteCodeView(TeamScopedView):
    host_methods = frozenset({"POST"})

    @extend_schema(
        tags=["teams"],
        summary="Make a new invite code, ending the old code and every invite link (host)",
        request=None,
        responses={200: s.TeamSerializer, **error_responses(403, 404)},
    )
    def post(self, request: Request, team: int) -> Response:
        services.regenerate_invite_code(request.user, team)
        return self.respond(s.TeamSerializer, team_of(request, team))


class InviteLinkView(TeamScopedView):
    host_methods = frozenset({"GET"})

    @extend_schema(
        tags=["teams"],
        summary="A fresh invite link (host)",
        description=(
            "Signed, valid for `TEAMMOA_INVITE_LINK_DAYS` (7 by default) from now. Every "
            "link ends when the host makes a new invite code (`POST …/invite-code/`)."
        ),
        responses={200: s.InviteLinkSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, team: int) -> Response:
        return self.respond(s.InviteLinkSerializer, services.invite_link(request.user, team))


# --- members -------------------------------------------------------------------------------


class MemberListView(TeamScopedView):
    @extend_schema(tags=["members"], responses=s.MemberSerializer(many=True))
    def get(self, request: Request, team: int) -> Response:
        return self.paginated(services.members_of(request.user, team), s.MemberSerializer)


class MemberDetailView(TeamScopedView):
    host_methods = frozenset({"DELETE"})

    @extend_schema(
        tags=["members"],
        summary="Remove a member (host)",
        responses={204: None, **error_responses(403, 404, 409)},
    )
    def delete(self, request: Request, team: int, member: int) -> Response:
        services.remove_member(request.user, team, member)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- milestones ----------------------------------------------------------------------------


class MilestoneListView(TeamScopedView):
    @extend_schema(tags=["milestones"], responses=s.MilestoneSerializer(many=True))
    def get(self, request: Request, team: int) -> Response:
        milestones = services.milestones_of(request.user, team).select_related("team")
        return self.paginated(milestones, s.MilestoneSerializer)

    @extend_schema(
        tags=["milestones"],
        request=s.MilestoneCreateSerializer,
        responses={201: s.MilestoneSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, team: int) -> Response:
        data = self.parse(s.MilestoneCreateSerializer)
        milestone = services.create_milestone(request.user, team, **data)
        return self.respond(s.MilestoneSerializer, milestone, status.HTTP_201_CREATED)


class MilestoneDetailView(TeamScopedView):
    @extend_schema(
        tags=["milestones"], responses={200: s.MilestoneSerializer, **error_responses(404)}
    )
    def get(self, request: Request, team: int, id: int) -> Response:
        return self.respond(s.MilestoneSerializer, services.get_milestone(request.user, team, id))

    @extend_schema(
        tags=["milestones"],
        description=(
            "Switching progress_mode to auto recomputes progress from the todos at once; "
            "progress can be set only in manual mode."
        ),
        request=s.MilestoneUpdateSerializer,
        responses={200: s.MilestoneSerializer, **error_responses(400, 404)},
    )
    def patch(self, request: Request, team: int, id: int) -> Response:
        data = self.parse(s.MilestoneUpdateSerializer, partial=True)
        milestone = services.update_milestone(request.user, team, id, **data)
        return self.respond(s.MilestoneSerializer, milestone)

    @extend_schema(
        tags=["milestones"],
        summary="Delete a milestone (host)",
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request: Request, team: int, id: int) -> Response:
        services.delete_milestone(request.user, team, id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- todos ---------------------------------------------------------------------------------

TODO_FILTERS = [
    OpenApiParameter("assignee", str, description="A member id, or `none` for unassigned todos."),
    OpenApiParameter("done", bool, description="`true` for done todos, `false` for open ones."),
    OpenApiParameter("milestone", str, description="A milestone id, or `none`."),
]


class TodoListView(TeamScopedView):
    @extend_schema(
        tags=["todos"],
        parameters=TODO_FILTERS,
        responses={200: s.TodoSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, team: int) -> Response:
        todos = services.todos_of(request.user, team)
        filters = s.TodoFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        lookups = {"assignee": "assignee_id", "done": "is_completed", "milestone": "milestone_id"}
        for name, value in filters.validated_data.items():
            todos = todos.filter(**{lookups[name]: value})
        return self.paginated(todos, s.TodoSerializer)

    @extend_schema(
        tags=["todos"],
        request=s.TodoCreateSerializer,
        responses={201: s.TodoSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, team: int) -> Response:
        todo = services.create_todo(request.user, team, **self.parse(s.TodoCreateSerializer))
        return self.respond(s.TodoSerializer, todo, status.HTTP_201_CREATED)


class TodoDetailView(TeamScopedView):
    @extend_schema(tags=["todos"], responses={200: s.TodoSerializer, **error_responses(404)})
    def get(self, request: Request, team: int, id: int) -> Response:
        return self.respond(s.TodoSerializer, services.get_todo(request.user, team, id))

    @extend_schema(
        tags=["todos"],
        description=(
            "The host edits any todo; a member edits their own or unassigned todos and "
            "moves (order) only their own."
        ),
        request=s.TodoUpdateSerializer,
        responses={200: s.TodoSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, team: int, id: int) -> Response:
        data = self.parse(s.TodoUpdateSerializer, partial=True)
        return self.respond(s.TodoSerializer, services.update_todo(request.user, team, id, **data))

    @extend_schema(
        tags=["todos"],
        summary="Delete a todo (host)",
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request: Request, team: int, id: int) -> Response:
        services.delete_todo(request.user, team, id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TodoAssignView(TeamScopedView):
    @extend_schema(
        tags=["todos"],
        summary="Assign a todo",
        description=(
            "The host assigns to any member or nobody; a member takes an unassigned todo "
            "for themself or releases their own."
        ),
        request=s.TodoAssignSerializer,
        responses={200: s.TodoSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, team: int, id: int) -> Response:
        member = self.parse(s.TodoAssignSerializer)["member"]
        return self.respond(s.TodoSerializer, services.assign_todo(request.user, team, id, member))


class TodoCompleteView(TeamScopedView):
    @extend_schema(
        tags=["todos"],
        summary="Mark a todo done or not done",
        request=s.TodoCompleteSerializer,
        responses={200: s.TodoSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, team: int, id: int) -> Response:
        done = self.parse(s.TodoCompleteSerializer)["is_completed"]
        return self.respond(s.TodoSerializer, services.complete_todo(request.user, team, id, done))


class TodoMoveView(TeamScopedView):
    @extend_schema(
        tags=["todos"],
        summary="Move a todo on the board",
        description=(
            "One drag as one change: reopen or complete, assign, and place at `order` in "
            "its column, in one transaction with the rules of assign, complete and reorder "
            "(applied in that order). Fields left out stay as they are; a todo that changes "
            "column without `order` goes to its end. Nothing is saved when any part is refused."
        ),
        request=s.TodoMoveSerializer,
        responses={200: s.TodoSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, team: int, id: int) -> Response:
        data = self.parse(s.TodoMoveSerializer)
        todo = services.move_todo(request.user, team, id, **data)
        return self.respond(s.TodoSerializer, todo)


# --- posts ---------------------------------------------------------------------------------


class PostListView(TeamScopedView):
    pagination_class = PostPagination
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=["posts"],
        parameters=[OpenApiParameter("q", str, description="Search title, body and author.")],
        responses={200: s.PostSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, team: int) -> Response:
        posts = services.posts_of(request.user, team, query=request.query_params.get("q"))
        return self.paginated(posts.prefetch_related("attachments"), s.PostSerializer)

    @extend_schema(
        tags=["posts"],
        request=s.PostCreateSerializer,
        responses={201: s.PostSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, team: int) -> Response:
        post = services.create_post(request.user, team, **self.parse(s.PostCreateSerializer))
        return self.respond(s.PostSerializer, post, status.HTTP_201_CREATED)


class PostDetailView(TeamScopedView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(tags=["posts"], responses={200: s.PostSerializer, **error_responses(404)})
    def get(self, request: Request, team: int, id: int) -> Response:
        return self.respond(s.PostSerializer, services.get_post(request.user, team, id))

    @extend_schema(
        tags=["posts"],
        summary="Edit a post (author)",
        request=s.PostUpdateSerializer,
        responses={200: s.PostSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, team: int, id: int) -> Response:
        data = self.parse(s.PostUpdateSerializer, partial=True)
        return self.respond(s.PostSerializer, services.update_post(request.user, team, id, **data))

    @extend_schema(
        tags=["posts"],
        summary="Delete a post (author or host)",
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request: Request, team: int, id: int) -> Response:
        services.delete_post(request.user, team, id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- comments on posts ---------------------------------------------------------------------


class CommentListView(TeamScopedView):
    @extend_schema(
        tags=["posts"],
        summary="A post's comments, oldest first",
        responses={200: s.PostCommentSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, team: int, id: int) -> Response:
        comments = services.comments_of(request.user, team, id)
        return self.paginated(comments, s.PostCommentSerializer)

    @extend_schema(
        tags=["posts"],
        summary="Comment on a post",
        request=s.PostCommentWriteSerializer,
        responses={201: s.PostCommentSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, team: int, id: int) -> Response:
        text = self.parse(s.PostCommentWriteSerializer)["text"]
        comment = services.create_comment(request.user, team, id, text)
        return self.respond(s.PostCommentSerializer, comment, status.HTTP_201_CREATED)


class CommentDetailView(TeamScopedView):
    @extend_schema(
        tags=["posts"],
        summary="Edit a comment (its author)",
        request=s.PostCommentWriteSerializer,
        responses={200: s.PostCommentSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, team: int, id: int, comment: int) -> Response:
        text = self.parse(s.PostCommentWriteSerializer)["text"]
        updated = services.update_comment(request.user, team, id, comment, text)
        return self.respond(s.PostCommentSerializer, updated)

    @extend_schema(
        tags=["posts"],
        summary="Delete a comment (its author or the host)",
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request: Request, team: int, id: int, comment: int) -> Response:
        services.delete_comment(request.user, team, id, comment)
        return Response(status=status.HTTP_204_NO_CONTENT)
