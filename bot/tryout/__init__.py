"""Try the coach without Telegram: an embedded Bot API stand-in and a chat page in the browser."""
