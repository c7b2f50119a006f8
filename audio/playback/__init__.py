"""Playback: one persistent output stream per session playing rendered trials with sample-exact
onsets (engine), the state the audio thread shares with the caller (jobs), and what it reports
(events)."""
