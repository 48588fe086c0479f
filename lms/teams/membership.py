"""Rules about who manages whom."""
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..accounts.users import find_user
from ..extensions import db
from .models import Team, TeamMembership


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
        raise TeamError("A team needs a name.")
    if db.session.scalar(select(Team).where(Team.name == name)) is not None:
        raise TeamError(f"There is already a team called '{name}'.")
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    return team


def add_to_team(team_name, email, as_manager=False):
    """Put a user in a team, as a member or one of its managers."""
    team = db.session.scalar(select(Team).where(Team.name == team_name.strip()))
    if team is None:
        raise TeamError(f"There is no team called '{team_name}'.")
    user = find_user(email)
    if user is None:
        raise TeamError(f"There is no account for {email}.")
    if as_manager and user.role not in ("manager", "admin"):
        raise TeamError(f"{user.email} is a {user.role}; only managers and admins manage teams.")
    membership = db.session.scalar(select(TeamMembership).where(
        TeamMembership.team_id == team.id, TeamMembership.user_id == user.id))
    if membership is None:
        membership = TeamMembership(team_id=team.id, user_id=user.id)
        db.session.add(membership)
    membership.is_manager = as_manager
    db.session.flush()
    return membership
