package org.territorypotential.ingest;

/** Ingest cannot go on (missing file or column, wrong delimiter, too much quarantined). */
public final class IngestError extends RuntimeException {
  public IngestError(String message) {
    super(message);
  }
}
