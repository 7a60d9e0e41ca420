"""Documents into the knowledge base: loaders, chunking, the registry, the pipeline and its CLI."""
