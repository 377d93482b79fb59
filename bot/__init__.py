"""The Telegram face of the coach: builds the Application and one module per flow."""
