"""What the tests expect of the emails' plain text."""

FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE, POP DIRECTIONAL ISOLATE


def isolated(text: str) -> str:
    """``text`` as a plain-text sentence names what people typed: between
    Unicode's isolates, written out here rather than taken from the code under
    test."""
    return f"{FSI}{text}{PDI}"
