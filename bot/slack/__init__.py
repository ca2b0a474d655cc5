"""The Slack layer: Bolt app factory, listeners by surface, pure Block Kit builders, and the
server that runs it (HTTP through gunicorn, or Socket Mode). See `bot.slack.server.serve`."""
