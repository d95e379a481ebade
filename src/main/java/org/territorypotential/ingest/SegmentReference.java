package org.territorypotential.ingest;

import org.territorypotential.lake.Contracts;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;

/**
 * The make + model -> segment reference. By default the table shipped in the jar
 * ({@code reference/segments.csv}, read on the driver so it works on any cluster);
 * {@code tp.ingest.inputs.segments.path} replaces it with a file of the same columns.
 */
public final class SegmentReference {
  private SegmentReference() {}

  public static final String RESOURCE = "reference/segments.csv";
  private static final String BASE = "tp.ingest.inputs.segments";

  public static RawInput read(SparkSession spark, AppConfig cfg) {
    String path = cfg.getString(BASE + ".path");
    if (!path.isEmpty()) {
      return new RawInput(Contracts.SEGMENTS, path, CanonicalAdapter.readOne(spark, cfg, BASE, Contracts.SEGMENTS, path),
          Map.of(), List.of(), CanonicalAdapter.encoding(cfg, BASE));
    }
    List<String> lines = shippedLines();
    Dataset<Row> df = spark.read().option("header", "true").schema("make string, model string, segment string")
        .csv(spark.createDataset(lines, Encoders.STRING()));
    Dataset<Row> raw = df.select(col("make"), col("model"), col("segment"),
        lit("classpath:" + RESOURCE).as(Validation.SOURCE_FILE),
        monotonically_increasing_id().as(Validation.SOURCE_ROW),
        to_json(struct(col("make"), col("model"), col("segment"))).as(Validation.RAW_RECORD),
        lit(null).cast("string").as(Validation.ADAPTER_REASON));
    return new RawInput(Contracts.SEGMENTS, "classpath:" + RESOURCE, raw);
  }

  /** The shipped reference table's lines (header first, '#' comment lines removed). */
  public static List<String> shippedLines() {
    try (InputStream in = SegmentReference.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IngestError("the shipped segment reference " + RESOURCE + " is missing from the classpath");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      return r.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    } catch (IOException e) {
      throw new IngestError("cannot read the shipped segment reference: " + e.getMessage());
    }
  }
}
