"""Errors that carry a one-line message meant for the person at the keyboard."""


class UserError(Exception):
    """A problem the user can fix; the CLI prints its message as one line and exits non-zero."""


class InputError(UserError):
    """The draft or request itself is unusable (empty, too long, not text)."""


class PolicyError(UserError):
    """The policy folder or one of its files cannot be read."""
