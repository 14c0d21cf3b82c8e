"""The LLM fixtures (fake Anthropic/Ollama servers, fast retry settings) are shared with the interview tests."""

from tests.llm.conftest import anthropic_on, fake_anthropic, fake_ollama, llm_settings, ollama_on  # noqa: F401
