"""Studies and sessions: plans, participants' codes, answering trial by trial, resume, pauses,
the response clock, stored trials read back as a stream, and how long a session takes."""
