"""`borough token create|revoke|list`: API tokens from the command line.

`create` prints only the secret on stdout, so it can be captured:
    TOKEN=$(borough token create alice --name monitoring --read-only)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from borough.accounts import services
from borough.accounts.models import ApiToken, User
from borough.core.management.base import BoroughCommand


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for messages in exc.message_dict.values() for m in messages)
    return " ".join(exc.messages)


class Command(BoroughCommand):
    help = "Create, revoke and list API tokens."

    def add_options(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="create|revoke|list")

        create = sub.add_parser("create", help="Create a token and print its secret (once).")
        create.add_argument("username")
        create.add_argument("--name", default="Command line",
                            help="What the token is for (default: Command line).")
        create.add_argument("--organisation", metavar="CODE",
                            help="Limit the token to the organisation with this code.")
        create.add_argument("--read-only", action="store_true",
                            help="The token may only read.")
        create.add_argument("--expires-days", type=int, default=90, metavar="N",
                            help=f"Days until it expires, 1 to {services.TOKEN_MAX_DAYS} "
                                 "(default 90).")

        revoke = sub.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("id", type=int)

        listing = sub.add_parser("list", help="List a user's tokens (never their secrets).")
        listing.add_argument("username")

    def run(self, *args, **options):
        action = options["action"]
        if action == "create":
            return self.create(options)
        if action == "revoke":
            return self.revoke(options["id"])
        return self.list(options["username"])

    def get_user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"There is no user called {username!r}. Check the spelling; "
                "usernames are case-sensitive."
            )
        return user

    def create(self, options) -> None:
        user = self.get_user(options["username"])
        if not user.is_active:
            raise CommandError(
                f"The account {user.username!r} is deactivated, so it cannot have tokens. "
                "Reactivate it first if it should have API access."
            )
        organisation_id = None
        code = options.get("organisation")
        if code:
            from borough.organisation.models import Organisation

            organisation = Organisation.objects.filter(code=code).first()
            if organisation is None:
                raise CommandError(f"There is no organisation with the code {code!r}.")
            if organisation.pk not in user.organisation_permissions():
                raise CommandError(
                    f"{user.username!r} is not an active member of {organisation.name} "
                    f"({code}). Add a membership first, or leave out --organisation."
                )
            organisation_id = organisation.pk
        days = options["expires_days"]
        if not 1 <= days <= services.TOKEN_MAX_DAYS:
            raise CommandError(
                f"--expires-days must be between 1 and {services.TOKEN_MAX_DAYS}, not {days}."
            )
        try:
            token, raw = services.create_token(
                user, actor=None, name=options["name"], organisation_id=organisation_id,
                read_only=options["read_only"], expires_in_days=days,
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        # Only the secret on stdout; the rest goes to stderr for people reading along.
        self.stdout.write(raw)
        scope = f"organisation {code}" if code else "all the user's organisations"
        self.stderr.write(
            f"Created token {token.pk} “{token.name}” for {user.username} ({scope}"
            f"{', read-only' if token.read_only else ''}), expiring "
            f"{timezone.localtime(token.expires_at):%d/%m/%Y %H:%M}. "
            "The secret above is shown once and is not stored."
        )

    def revoke(self, token_id: int) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"There is no token with id {token_id}. "
                               "`borough token list USERNAME` shows the ids.")
        try:
            token = services.revoke_token(token, actor=None)
        except PermissionDenied as exc:  # pragma: no cover - the system may revoke any token
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Revoked token {token.pk} “{token.name}” of {token.user.username}.")

    def list(self, username: str) -> None:
        user = self.get_user(username)
        tokens = ApiToken.objects.filter(user=user).select_related("organisation")
        if not tokens:
            self.stdout.write(f"{user.username} has no API tokens.")
            return
        now = timezone.now()
        for token in tokens:
            if token.revoked_at:
                state = "revoked"
            elif token.expires_at and token.expires_at <= now:
                state = "expired"
            else:
                state = "active"
            expires = (f"{timezone.localtime(token.expires_at):%d/%m/%Y}"
                       if token.expires_at else "never")
            self.stdout.write(
                f"{token.pk}\t{token.hint}…\t{token.name}\t"
                f"{token.organisation.code if token.organisation else 'any'}\t"
                f"{'read-only' if token.read_only else 'read-write'}\t"
                f"expires {expires}\t{state}"
            )
