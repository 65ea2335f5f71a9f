"""Moving-camera logic: ground positions from the bike, place-based dedup, geo-fences."""
