"""The answering side: the RAG engine (no Chainlit import), the chat app and its CLI."""
