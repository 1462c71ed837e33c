from foerderportal.errors import DomainError


class PageError(DomainError):
    """A rule of the pages app refused the action (German message)."""
