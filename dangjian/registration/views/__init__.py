"""Pages of dual registration, by who uses them: `desk` (workers), `mine` (the registrant), `community`
(a community's link, lists and documents), `public` (the self-service pages behind the QR code)."""
