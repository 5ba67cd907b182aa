"""Form definitions as data: schema, loader, value parsing/formatting, rules and validation (no Qt)."""
