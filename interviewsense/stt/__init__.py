"""Speech to text: VOSK live, Whisper for the final transcript."""
