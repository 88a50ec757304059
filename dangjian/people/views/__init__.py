"""Pages for members, the household register and liaisons. Thin: parse, call a service, render."""
