"""What the tests and bench/ share; nothing here is a test.

- jack_harness: a private JACK server (dummy driver) and PortAudio attached to it; the
  recorder client in a child process (recorder_process.py runs it)
- pg_harness: a private PostgreSQL server in a temporary folder
- station_runs: station processes (``main.py simulate --station``) against a lab server
- factories: small valid STAR-Bench folders and WAV files
- gui_harness: a lab context, a study with a participant, participant windows as they open
- waiting: wait_until, polling a condition instead of sleeping for a fixed time
- child scripts, each run as a process of its own: app_child.py (the app, to be killed
  mid-session), startup_child.py (``main.py`` with a watcher), device_loss_child.py (a JACK
  server that dies mid-trial)

The harness modules import Qt and sounddevice only inside the functions that need them, so that
importing a factory or a harness starts no audio or GUI stack (the child scripts do at once).
"""
