"""Use cases: one function each; each takes a Session, owns its transaction, raises DomainError."""
