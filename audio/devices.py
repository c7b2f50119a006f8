"""Output devices: listing them, choosing one by name + host API, and the stored choice.

PortAudio numbers devices by position, and the numbers change when a device is plugged in or
a server starts, so a station stores its device by *name and host API* (``DeviceChoice``) and
looks the index up each time a session opens a stream.

sounddevice is imported lazily, inside the functions: PortAudio attaches to whichever JACK
server runs when it initialises (``JACK_DEFAULT_SERVER`` must be set before that), and a
machine without libportaudio2 should get a clear ``AudioBackendError`` rather than an import
failure of the whole ``audio`` package.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

JACK_HOST_API = "JACK Audio Connection Kit"


class AudioBackendError(Exception):
    """PortAudio (libportaudio2) or sounddevice is missing or failed to initialise."""


class DeviceNotFoundError(Exception):
    """No output device with the stored name and host API; the message lists what exists."""


class ChannelMapError(ValueError):
    """A channel map that the device or the sound cannot satisfy; the message says which."""


def import_sounddevice() -> Any:
    """The sounddevice module, or AudioBackendError with the reason (usually no PortAudio)."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError when libportaudio cannot be loaded
        raise AudioBackendError(
            f"PortAudio is not available ({exc}); on Debian/Ubuntu install libportaudio2"
        ) from None
    return sounddevice


@dataclass(frozen=True)
class OutputDevice:
    """One PortAudio device that can play sound."""

    index: int
    name: str
    host_api: str
    max_output_channels: int
    default_sample_rate_hz: float


def list_output_devices(sounddevice_module: Any | None = None) -> list[OutputDevice]:
    """All devices with at least one output channel, in PortAudio's order."""
    sd = sounddevice_module or import_sounddevice()
    host_apis = sd.query_hostapis()
    devices = []
    for index, info in enumerate(sd.query_devices()):
        if int(info["max_output_channels"]) <= 0:
            continue
        devices.append(
            OutputDevice(
                index=index,
                name=str(info["name"]),
                host_api=str(host_apis[info["hostapi"]]["name"]),
                max_output_channels=int(info["max_output_channels"]),
                default_sample_rate_hz=float(info["default_samplerate"]),
            )
        )
    return devices


def rescan_devices(sounddevice_module: Any | None = None) -> None:
    """Read the device list anew. PortAudio lists the devices once, when it is initialised, so a
    headphone plugged in later appears only after it is terminated and initialised again. Only
    while no stream is open: the caller has none (it found no output to open)."""
    sd = sounddevice_module or import_sounddevice()
    sd._terminate()
    sd._initialize()


def format_device_list(devices: Iterable[OutputDevice] | None = None) -> str:
    """Text for ``python main.py devices``: one line per output device, with the exact name and
    host API strings a station's configuration must use."""
    devices = list_output_devices() if devices is None else list(devices)
    if not devices:
        return "No output devices found (is the audio server running?)."
    name_width = max(len("name"), *(len(d.name) for d in devices))
    api_width = max(len("host API"), *(len(d.host_api) for d in devices))
    lines = [f"{'#':>3}  {'name':<{name_width}}  {'host API':<{api_width}}  {'outputs':>7}  {'default rate':>12}"]
    for d in devices:
        lines.append(
            f"{d.index:>3}  {d.name:<{name_width}}  {d.host_api:<{api_width}}  "
            f"{d.max_output_channels:>7}  {d.default_sample_rate_hz:>9.0f} Hz"
        )
    return "\n".join(lines)


def find_output_device(name: str, host_api: str, devices: Iterable[OutputDevice] | None = None) -> OutputDevice:
    """The output device with exactly this name in exactly this host API.

    Exact matching on purpose: a substring match could silently pick another headphone amp
    after a re-plug, and the calibration belongs to one device."""
    devices = list_output_devices() if devices is None else list(devices)
    for d in devices:
        if d.name == name and d.host_api == host_api:
            return d
    available = "; ".join(f"{d.name!r} in {d.host_api!r}" for d in devices) or "none"
    raise DeviceNotFoundError(f"no output device named {name!r} in host API {host_api!r} (available: {available})")


@dataclass(frozen=True)
class DeviceChoice:
    """A station's output: device by name + host API, the stream's sample rate, and the
    channel map.

    ``channel_map`` lists 0-based device output indices (output 0 is JACK's
    ``system:playback_1``). Its first two entries are the left and the right ear; a file with N
    channels (N > 2, or routed "multichannel") goes to the first N entries. The stream opens
    ``max(channel_map) + 1`` channels; outputs not in the map stay silent."""

    host_api: str
    name: str
    sample_rate_hz: int
    channel_map: tuple[int, ...] = field(default=(0, 1))

    def __post_init__(self) -> None:
        object.__setattr__(self, "channel_map", tuple(int(c) for c in self.channel_map))
        object.__setattr__(self, "sample_rate_hz", int(self.sample_rate_hz))
        if not self.channel_map:
            raise ChannelMapError("the channel map is empty; it needs at least one output")
        if min(self.channel_map) < 0:
            raise ChannelMapError(f"channel map {self.channel_map} has a negative output index")
        if len(set(self.channel_map)) != len(self.channel_map):
            raise ChannelMapError(f"channel map {self.channel_map} uses an output twice")
        if self.sample_rate_hz <= 0:
            raise ValueError(f"sample rate must be positive, not {self.sample_rate_hz} Hz")

    @property
    def stream_channels(self) -> int:
        """Channels the stream opens (and the width of every rendered buffer)."""
        return max(self.channel_map) + 1

    @property
    def left_output(self) -> int:
        return self.channel_map[0]

    @property
    def right_output(self) -> int:
        """The right ear's output; with a one-output map, both ears share it."""
        return self.channel_map[1] if len(self.channel_map) > 1 else self.channel_map[0]

    def check_against(self, device: OutputDevice) -> None:
        """ChannelMapError if the device has fewer outputs than the map needs."""
        if self.stream_channels > device.max_output_channels:
            raise ChannelMapError(
                f"channel map {self.channel_map} needs {self.stream_channels} outputs but "
                f"{device.name!r} in {device.host_api!r} has {device.max_output_channels}"
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the station table."""
        return {
            "host_api": self.host_api,
            "name": self.name,
            "sample_rate_hz": self.sample_rate_hz,
            "channel_map": list(self.channel_map),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DeviceChoice":
        return cls(
            host_api=str(data["host_api"]),
            name=str(data["name"]),
            sample_rate_hz=int(data["sample_rate_hz"]),
            channel_map=tuple(data.get("channel_map", (0, 1))),
        )
