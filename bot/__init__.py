"""The answering side: the RAG engine (no Chainlit import), the chat app, Slack and widget."""
