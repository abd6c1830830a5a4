"""What students receive: the published list of graded tests, the keyless quiz sheets and the handout itself."""
