"""Rules about who manages whom, and who may see which team and person."""
import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..accounts.users import find_user
from ..clock import utcnow
from ..extensions import db
from .models import Team, TeamInvitation, TeamMembership

INVITATION_DAYS = 14


class TeamError(ValueError):
    pass


def manages(manager_id, learner_id):
    """Whether `manager_id` manages a team that `learner_id` is a member of."""
    boss, member = aliased(TeamMembership), aliased(TeamMembership)
    return db.session.scalar(select(exists().where(
        boss.user_id == manager_id, boss.is_manager.is_(True),
        member.team_id == boss.team_id, member.user_id == learner_id,
        member.is_manager.is_(False))))


def has_manager(learner_id):
    """Whether anyone who is still a manager (or admin) manages a team the learner is in."""
    boss, member = aliased(TeamMembership), aliased(TeamMembership)
    return db.session.scalar(select(exists().where(
        member.user_id == learner_id, member.is_manager.is_(False),
        boss.team_id == member.team_id, boss.is_manager.is_(True),
        boss.user_id != learner_id, User.id == boss.user_id,
        User.role.in_(("manager", "admin")), User.active.is_(True))))


def managed_learner_ids(manager_id):
    """A select of the ids of everyone in the teams `manager_id` manages."""
    boss, member = aliased(TeamMembership), aliased(TeamMembership)
    return (select(member.user_id)
            .join(boss, boss.team_id == member.team_id)
            .where(boss.user_id == manager_id, boss.is_manager.is_(True),
                   member.is_manager.is_(False)))


def create_team(name):
    """Add a team; raise TeamError if the name is taken or empty."""
    name = name.strip()
    if not name:
        raise TeamError(_("A team needs a name."))
    if db.session.scalar(select(Team).where(Team.name == name)) is not None:
        raise TeamError(_("There is already a team called '%(name)s'.", name=name))
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    return team


def add_to_team(team_name, email, as_manager=False):
    """Put a user in a team (found by name), as a member or one of its managers."""
    team = db.session.scalar(select(Team).where(Team.name == team_name.strip()))
    if team is None:
        raise TeamError(_("There is no team called '%(name)s'.", name=team_name))
    return add_member(team, email, as_manager)


def add_member(team, email, as_manager=False, now=None, by=None):
    """Put the user with `email` in `team`, as a member or one of its managers.

    A manager (`by`) may add only a learner who is in no team yet: anyone else
    would open their records to a new manager without their say, so they are
    sent an invitation, which they choose to accept. Admins may add anyone.
    """
    user = find_user(email or "")
    if user is None:
        raise TeamError(_("There is no account for %(email)s. Send them an invitation link "
                          "instead.", email=(email or '').strip()))
    if not user.active:
        raise TeamError(_("The account for %(email)s is switched off.", email=user.email))
    if by is not None and by.role != "admin" and not as_manager:
        if user.role != "learner":
            raise TeamError(_("%(name)s is a %(role)s; only an admin can add them to a team.",
                              name=user.name, role=user.role))
        if db.session.scalar(select(exists().where(TeamMembership.user_id == user.id,
                                                   TeamMembership.team_id != team.id))):
            raise TeamError(_("%(name)s is already in another team. Send them an invitation "
                              "link instead: joining another team is their choice.",
                              name=user.name))
    if as_manager and user.role not in ("manager", "admin"):
        raise TeamError(_("%(email)s is a %(role)s; only managers and admins manage teams.",
                          email=user.email, role=user.role))
    membership = db.session.scalar(select(TeamMembership).where(
        TeamMembership.team_id == team.id, TeamMembership.user_id == user.id))
    if membership is None:
        membership = TeamMembership(team_id=team.id, user_id=user.id, joined_at=now or utcnow())
        db.session.add(membership)
    elif membership.is_manager and not as_manager:
        raise TeamError(_("%(name)s manages this team; an admin can change that.",
                          name=user.name))
    membership.is_manager = as_manager
    db.session.flush()
    return membership


def remove_member(team, user_id, managers_too=False):
    """Take a person out of a team; their own records stay. Managers only with `managers_too`."""
    membership = db.session.scalar(select(TeamMembership).where(
        TeamMembership.team_id == team.id, TeamMembership.user_id == user_id))
    if membership is None:
        return False
    if membership.is_manager and not managers_too:
        raise TeamError(_("Only an admin can remove one of the team's managers."))
    db.session.delete(membership)
    db.session.flush()
    return True


def visible_teams(user):
    """The teams a user may open in the cockpit: all for an admin, their own for a manager."""
    query = select(Team).order_by(Team.name)
    if user.role != "admin":
        query = query.join(TeamMembership, TeamMembership.team_id == Team.id).where(
            TeamMembership.user_id == user.id, TeamMembership.is_manager.is_(True))
    return db.session.scalars(query).all()


def visible_team(user, team_id):
    """The team if `user` may see it, else None (the caller answers 404, revealing nothing)."""
    if user.role not in ("manager", "admin"):
        return None
    team = db.session.get(Team, team_id)
    if team is None or user.role == "admin":
        return team
    return team if is_team_manager(user.id, team_id) else None


def is_team_manager(user_id, team_id):
    return db.session.scalar(select(exists().where(
        TeamMembership.team_id == team_id, TeamMembership.user_id == user_id,
        TeamMembership.is_manager.is_(True))))


def can_see_person(user, person_id):
    """Admins see everyone; managers only the learners in the teams they manage."""
    if user.role == "admin":
        return True
    return user.role == "manager" and manages(user.id, person_id)


def team_sizes(team_ids):
    """{team id: number of learners}, in one query."""
    team_ids = list(team_ids)
    rows = db.session.execute(
        select(TeamMembership.team_id, func.count(TeamMembership.id))
        .where(TeamMembership.team_id.in_(team_ids), TeamMembership.is_manager.is_(False))
        .group_by(TeamMembership.team_id)).all()
    return {team_id: 0 for team_id in team_ids} | dict(rows)


def team_people(team_id):
    """The team's learners and its managers: two lists of users, by name."""
    rows = db.session.execute(
        select(User, TeamMembership.is_manager)
        .join(TeamMembership, TeamMembership.user_id == User.id)
        .where(TeamMembership.team_id == team_id)
        .order_by(func.lower(User.name), User.id)).all()
    return ([user for user, boss in rows if not boss], [user for user, boss in rows if boss])


def member_ids(team_id):
    """A select of the ids of a team's learners (not its managers)."""
    return select(TeamMembership.user_id).where(TeamMembership.team_id == team_id,
                                                TeamMembership.is_manager.is_(False))


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(team, creator, days=INVITATION_DAYS, now=None):
    """A new single-use link into `team`: returns (invitation, secret token for the URL)."""
    if not 1 <= days <= 60:
        raise TeamError(_("An invitation lasts between 1 and 60 days."))
    now = now or utcnow()
    token = secrets.token_urlsafe(24)
    invitation = TeamInvitation(team_id=team.id, token_hash=_digest(token),
                                created_by_id=creator.id, created_at=now,
                                expires_at=now + timedelta(days=days))
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def find_invitation(token):
    """The invitation a link's token names, or None for a token nobody issued."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(TeamInvitation).where(
        TeamInvitation.token_hash == _digest(token)))


def open_invitations(team_id, now=None):
    now = now or utcnow()
    return db.session.scalars(select(TeamInvitation).where(
        TeamInvitation.team_id == team_id, TeamInvitation.used_at.is_(None),
        TeamInvitation.revoked_at.is_(None), TeamInvitation.expires_at > now)
        .order_by(TeamInvitation.created_at)).all()


def accept_invitation(invitation, user, now=None):
    """Use the invitation for `user`, once: a guarded UPDATE, so two people racing get one seat.

    Raises TeamError saying why when the link is used, withdrawn or expired.
    """
    now = now or utcnow()
    state = invitation.state(now)
    if state != "open":
        raise TeamError(str(INVITATION_PROBLEMS[state]))
    if db.session.scalar(select(exists().where(TeamMembership.team_id == invitation.team_id,
                                               TeamMembership.user_id == user.id))):
        raise TeamError(_("You are already in this team, so the link was left for someone else."))
    claimed = db.session.execute(
        update(TeamInvitation)
        .where(TeamInvitation.id == invitation.id, TeamInvitation.used_at.is_(None),
               TeamInvitation.revoked_at.is_(None), TeamInvitation.expires_at > now)
        .values(used_at=now, used_by_id=user.id)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise TeamError(str(INVITATION_PROBLEMS["used"]))
    db.session.refresh(invitation)
    db.session.add(TeamMembership(team_id=invitation.team_id, user_id=user.id, joined_at=now))
    db.session.flush()
    return db.session.get(Team, invitation.team_id)


def withdraw_invitation(team, invitation_id, now=None):
    invitation = db.session.get(TeamInvitation, invitation_id)
    if invitation is None or invitation.team_id != team.id:
        return False
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = now or utcnow()
    return True


# Lazy: translated when shown, into the language of whoever opens the link.
INVITATION_PROBLEMS = {
    "used": _l("This invitation link has already been used. Ask your manager for a new one."),
    "withdrawn": _l("This invitation link was withdrawn by the team's manager. Ask them for a "
                    "new one."),
    "expired": _l("This invitation link has expired. Ask your manager for a new one."),
}
