package org.territorypotential.synth;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The {@code generate} job: writes a synthetic region's inputs to tp.generate.output as CSV
 * folders in contract form (one per input), and the facts it planted to ops.planted_truths.
 * docs/synthetic-data.md describes the model.
 */
public final class GenerateJob {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);

  private GenerateJob() {}

  /** Summary of what was generated: counts per file, for the launcher to print. */
  public record Summary(java.util.Map<String, Long> rowsPerInput, String outputDir) {}

  public static Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    long t0 = System.nanoTime();
    SynthParams p = SynthParams.from(cfg);
    String out = p.output().contains("://") ? p.output() : new File(p.output()).getAbsolutePath();
    LOG.info("generate {}: seed {}, {} registrations over {} months to {}, {} units, {} dealers, into {}",
        run.runId(), p.seed(), p.registrations(), p.months(), run.asOf(), p.geoUnits(), p.dealers(), out);
    Generator g = Generator.create(spark, p, run.asOf());

    Map<String, Long> rows = new LinkedHashMap<>();
    rows.put("geo_units", write(g.geoUnits(), out, "geo_units"));
    rows.put("demographics", write(g.demographics(), out, "demographics"));
    rows.put("dealers", write(g.dealers(), out, "dealers"));
    rows.put("segments", write(g.segments(), out, "segments"));
    rows.put("territories", write(g.territories(), out, "territories"));
    writeOnly(g.registrations(), out, "registrations");
    rows.put("registrations", p.registrations());
    writeOnly(g.sales(), out, "sales");
    rows.put("sales", spark.read().option("header", "true").csv(out + "/sales").count());

    Lake lake = new Lake(spark, cfg);
    long version = lake.write(Table.PLANTED_TRUTHS, g.plantedTruths(run), Lake.Lineage.of(run)).version();
    LOG.info("wrote {} ({} truths) at version {}", lake.sqlName(Table.PLANTED_TRUTHS), g.world().truths.size(), version);
    LOG.info("generate done in {} s: {}", (System.nanoTime() - t0) / 1_000_000_000.0, rows);
    return new Summary(rows, out);
  }

  private static long write(Dataset<Row> df, String out, String name) {
    long n = df.count();
    writeOnly(df, out, name);
    return n;
  }

  private static void writeOnly(Dataset<Row> df, String out, String name) {
    long t = System.nanoTime();
    df.write().mode("overwrite").option("header", "true").option("delimiter", ",").option("dateFormat", "yyyy-MM-dd")
        .csv(out + "/" + name);
    LOG.info("wrote {}/{} in {} ms", out, name, (System.nanoTime() - t) / 1_000_000);
  }
}
