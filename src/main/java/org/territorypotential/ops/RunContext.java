package org.territorypotential.ops;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** Identity of one job run: its id, the run date it computes and when it started. */
public record RunContext(String runId, String job, LocalDate asOf, Instant startedAt) {

  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  public static RunContext start(String job, LocalDate asOf) {
    Instant now = Instant.now();
    String id = job + "-" + asOf + "-" + ID_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8);
    return new RunContext(id, job, asOf, now);
  }
}
