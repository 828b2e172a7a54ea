"""The administrators' statistics dashboard and its downloads."""
