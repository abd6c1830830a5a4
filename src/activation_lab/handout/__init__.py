"""What students receive: the published list of graded tests, keyless quiz sheets, the handout itself."""
