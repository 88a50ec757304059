"""Writes of the service-centre network, by sub-domain: `centres` (centres, hours, rooms, the circle's
parameters), `bookings` (room bookings and their workflow), `activities` (activities and sign-ups)."""
