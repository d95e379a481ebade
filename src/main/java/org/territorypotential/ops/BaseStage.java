package org.territorypotential.ops;

import java.util.List;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;

/** A {@link Stage} whose name, description and tables are fixed; subclasses give {@code run} (and reads that depend on settings). */
public abstract class BaseStage implements Stage {
  private final String name;
  private final String description;
  private final List<Table> reads;
  private final List<Table> writes;

  protected BaseStage(String name, String description, List<Table> reads, List<Table> writes) {
    this.name = name;
    this.description = description;
    this.reads = List.copyOf(reads);
    this.writes = List.copyOf(writes);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String description() {
    return description;
  }

  @Override
  public List<Table> reads(AppConfig cfg) {
    return reads;
  }

  @Override
  public final List<Table> writes() {
    return writes;
  }
}
