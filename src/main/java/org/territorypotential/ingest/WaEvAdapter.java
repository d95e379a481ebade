package org.territorypotential.ingest;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;

/** Maps the Washington State public files (../shared/data/wa-ev) onto the input contracts. */
public final class WaEvAdapter implements SourceAdapter {
  @Override
  public List<RawInput> read(SparkSession spark, AppConfig cfg) {
    throw new UnsupportedOperationException("the wa-ev adapter is being written");
  }
}
