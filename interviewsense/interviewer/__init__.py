"""Who asks the questions: the offline question banks or an LLM."""
