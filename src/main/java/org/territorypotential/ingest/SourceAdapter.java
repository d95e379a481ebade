package org.territorypotential.ingest;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;

/**
 * Maps one kind of source onto the input contracts. {@link #read} does the I/O and must fail
 * with an {@link IngestError} naming the file and column when a file is missing, a required
 * column is absent or the delimiter is wrong, before anything is written.
 */
public interface SourceAdapter {
  List<RawInput> read(SparkSession spark, AppConfig cfg);
}
