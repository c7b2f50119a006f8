"""The one bridge from the audio engine's event queue to Qt signals.

The engine's monitor thread fills a bounded queue.Queue; a QTimer on the GUI thread drains it
every 10 ms and re-emits each event as a signal. NB: queue.Queue is the only shared object and
is thread-safe; nothing here runs on the audio thread. The event classes are imported when a
bridge is made (the engine is open by then), so importing this module stays cheap.
"""
from __future__ import annotations

import queue

from PySide6.QtCore import QObject, QTimer, Signal

DRAIN_INTERVAL_MS = 10


class EngineBridge(QObject):
    started = Signal(object)  # PlaybackStarted
    finished = Signal(object)  # PlaybackFinished
    underflow = Signal(object)  # Underflow
    deviceError = Signal(str)

    def __init__(self, events: queue.Queue, parent: QObject | None = None):
        super().__init__(parent)
        from audio.playback.events import DeviceError, PlaybackFinished, PlaybackStarted, Underflow

        self.signal_of = {PlaybackStarted: self.started, PlaybackFinished: self.finished, Underflow: self.underflow}
        self.device_error_class = DeviceError
        self.events = events
        self.timer = QTimer(self)
        self.timer.setInterval(DRAIN_INTERVAL_MS)
        self.timer.timeout.connect(self.drain)
        self.timer.start()

    def drain(self) -> None:
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            if isinstance(event, self.device_error_class):
                self.deviceError.emit(event.message)
                continue
            signal = self.signal_of.get(type(event))
            if signal is not None:
                signal.emit(event)
