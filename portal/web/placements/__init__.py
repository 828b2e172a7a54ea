"""Pages of matching and placements: a worker's matches and offers, an employer's candidates,
the admins' placement board and matching runs, and everyone's notifications."""
