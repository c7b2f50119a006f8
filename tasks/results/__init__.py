"""What leaves the database: the model kit's layout per participant and pooled, trials.csv and
screening.csv with their sidecars, and the leaderboard of humans against models."""
