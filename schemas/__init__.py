"""pandera models of the stage tables and the consistency rules of the format."""
