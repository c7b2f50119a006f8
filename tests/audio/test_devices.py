"""Device listing and choice, against a stand-in for sounddevice's query functions."""
from __future__ import annotations

import pytest

from audio.devices import (
    JACK_HOST_API, ChannelMapError, DeviceChoice, DeviceNotFoundError, OutputDevice, find_output_device,
    format_device_list, list_output_devices,
)


class FakeSounddevice:
    @staticmethod
    def query_hostapis():
        return [{"name": "ALSA"}, {"name": JACK_HOST_API}]

    @staticmethod
    def query_devices():
        return [
            {"name": "HDA Intel: mic", "hostapi": 0, "max_output_channels": 0, "default_samplerate": 44100.0},
            {"name": "default", "hostapi": 0, "max_output_channels": 2, "default_samplerate": 44100.0},
            {"name": "system", "hostapi": 1, "max_output_channels": 4, "default_samplerate": 48000.0},
        ]


def test_lists_only_outputs_with_host_api_names():
    devices = list_output_devices(FakeSounddevice)
    assert [(d.index, d.name, d.host_api, d.max_output_channels) for d in devices] == [
        (1, "default", "ALSA", 2), (2, "system", JACK_HOST_API, 4)]


def test_format_device_list_shows_exact_names():
    text = format_device_list(list_output_devices(FakeSounddevice))
    assert "system" in text and JACK_HOST_API in text and "48000 Hz" in text
    assert "mic" not in text
    assert "No output devices" in format_device_list([])


def test_find_by_name_and_host_api_is_exact():
    devices = list_output_devices(FakeSounddevice)
    assert find_output_device("system", JACK_HOST_API, devices).index == 2
    with pytest.raises(DeviceNotFoundError, match="'syst' in host API 'JACK Audio Connection Kit'.*available: 'default' in 'ALSA'"):
        find_output_device("syst", JACK_HOST_API, devices)
    with pytest.raises(DeviceNotFoundError):
        find_output_device("system", "ALSA", devices)


def test_device_choice_round_trip_and_checks():
    choice = DeviceChoice(JACK_HOST_API, "system", 48000, (2, 3))
    assert DeviceChoice.from_dict(choice.to_dict()) == choice
    assert (choice.stream_channels, choice.left_output, choice.right_output) == (4, 2, 3)
    with pytest.raises(ChannelMapError, match="uses an output twice"):
        DeviceChoice(JACK_HOST_API, "system", 48000, (1, 1))
    small = OutputDevice(0, "default", "ALSA", 2, 44100.0)
    with pytest.raises(ChannelMapError, match="needs 4 outputs but 'default' in 'ALSA' has 2"):
        choice.check_against(small)
