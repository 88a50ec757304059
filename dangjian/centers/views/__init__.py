"""The centre pages, by sub-domain: `centres` (centres, hours, rooms, the service circle), `bookings`,
`activities`; `common` holds what they share."""
