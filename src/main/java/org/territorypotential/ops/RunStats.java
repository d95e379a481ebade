package org.territorypotential.ops;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a run read and wrote: rows and Delta versions per table, for job_runs. */
public final class RunStats {
  public final Map<String, Long> rowsRead = new LinkedHashMap<>();
  public final Map<String, Long> rowsWritten = new LinkedHashMap<>();
  public final Map<String, Long> versionsRead = new LinkedHashMap<>();
  public final Map<String, Long> versionsWritten = new LinkedHashMap<>();

  public RunStats read(String name, long rows, Long version) {
    rowsRead.put(name, rows);
    if (version != null) {
      versionsRead.put(name, version);
    }
    return this;
  }

  public RunStats wrote(String name, long rows, long version) {
    rowsWritten.put(name, rows);
    versionsWritten.put(name, version);
    return this;
  }
}
