"""Audio in and out: loading files and URLs, devices, recording, voice activity."""
