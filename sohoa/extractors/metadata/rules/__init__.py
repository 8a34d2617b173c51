"""The field rules of the metadata extractor, one module each."""
