package org.territorypotential.market;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The {@code market} job for one run date: reads the located silver tables (each at the Delta
 * version it records), computes market share, expected registrations, effectiveness and
 * cross-sell with the pure transforms of this package, and replaces the run date's partition
 * of each gold table (docs/market.md).
 */
public final class MarketJob {
  private static final Logger LOG = LoggerFactory.getLogger(MarketJob.class);

  /** One dealer line of the summary. */
  public record DealerLine(String dealerId, String brand, Double effectiveness, double expected, long actual, String band,
      Double effectivenessLocal, double expectedLocal) {}

  /** What a run did. */
  public record Result(String runId, LocalDate windowStart, LocalDate windowEnd, Map<String, Long> rowsRead,
      Map<String, Long> versionsRead, Map<String, Long> rowsWritten, Map<String, Long> versionsWritten,
      List<DealerLine> weakest, List<DealerLine> strongest, String benchmarkEffect) {}

  public static Result run(SparkSession spark, AppConfig cfg, RunContext run) {
    Lake lake = new Lake(spark, cfg);
    LocalDate asOf = run.asOf();
    MarketParams p = MarketParams.from(cfg, asOf);
    String level = cfg.getString("tp.locate.level");
    Map<String, Long> versions = new LinkedHashMap<>();
    Map<String, Long> rowsRead = new LinkedHashMap<>();
    List<Dataset<Row>> persisted = new ArrayList<>();
    Dataset<Row> regsAll = lake.readPinned(Table.REGISTRATIONS_LOCATED, asOf, versions);
    Dataset<Row> dealersLocated = lake.readPinned(Table.DEALERS_LOCATED, asOf, versions);
    Dataset<Row> assignment = lake.readPinned(Table.TERRITORY_ASSIGNMENT, asOf, versions).persist(StorageLevel.MEMORY_AND_DISK());
    persisted.add(assignment);
    Dataset<Row> units = lake.readPinned(Table.GEO_UNITS_SILVER, asOf, versions);
    Dataset<Row> sales = readSales(lake, asOf, versions);
    Dataset<Row> segments = readSegments(spark, lake, asOf, versions);
    String inputVersions = Lake.versionsText(versions);
    LOG.info("market {}: window {} .. {}, benchmark {}, local {}; inputs {}", asOf, p.windowStart(), p.windowEnd(),
        p.benchmarkArea(), p.localArea(), inputVersions);

    Market.Outputs o = Market.compute(new Market.Inputs(regsAll, segments, units, level, assignment, dealersLocated, sales,
        cfg.getStringList("tp.locate.pma-brands")), p);
    Map<String, Long> rowsWritten = new LinkedHashMap<>();
    Map<String, Long> versionsWritten = new LinkedHashMap<>();
    Lake.Lineage lineage = Lake.Lineage.of(run).withInputs(versions);
    List<Lake.Request> writes = List.of(new Lake.Request(Table.MARKET_SHARE, o.marketShare(), lineage),
        new Lake.Request(Table.MONTHLY_REGISTRATIONS, o.monthlyRegistrations(), lineage),
        new Lake.Request(Table.DEALER_EXPECTED_BY_SEGMENT, o.expectedBySegment(), lineage),
        new Lake.Request(Table.DEALER_PERFORMANCE, o.performance(), lineage),
        new Lake.Request(Table.CROSS_SELL, o.crossSell(), lineage),
        new Lake.Request(Table.MARKET_DATA_QUALITY, o.dataQuality(), lineage));
    for (Lake.Written w : lake.writeAll(writes)) {
      rowsWritten.put(w.sqlName(), w.rows());
      versionsWritten.put(w.sqlName(), w.version());
      LOG.info("{}: {} rows (version {})", w.sqlName(), w.rows(), w.version());
    }
    rowsRead.put(lake.sqlName(Table.REGISTRATIONS_LOCATED), regsAll.count());

    int n = cfg.getInt("tp.market.print-dealers");
    Dataset<Row> measured = o.performance().where(col("registration_effectiveness").isNotNull());
    List<DealerLine> weakest = lines(measured.orderBy(col("registration_effectiveness").asc(), col("dealer_id")).limit(n));
    List<DealerLine> strongest = lines(measured.orderBy(col("registration_effectiveness").desc(), col("dealer_id")).limit(n));
    // the choice of docs/market.md (benchmark over located registrations only) and its effect, for the printout
    Row effect = o.dataQuality().where(col("check_name").equalTo(DataQuality.BENCHMARK_UNLOCATED))
        .select("affected", "base", "description").first();
    String benchmarkEffect = String.format(java.util.Locale.ROOT, "%,d of %,d: %s", effect.getLong(0), effect.getLong(1),
        effect.getString(2));
    LOG.info("benchmark shares over located registrations only; unlocated left out {}", benchmarkEffect);
    o.unpersist();
    persisted.forEach(Dataset::unpersist);
    return new Result(run.runId(), p.windowStart(), p.windowEnd(), rowsRead, versions, rowsWritten, versionsWritten, weakest,
        strongest, benchmarkEffect);
  }

  /** The located sales of the run date (pinned), or null when there is no sales input. */
  public static Dataset<Row> readSales(Lake lake, LocalDate asOf, Map<String, Long> versions) {
    return lake.exists(Table.SALES_LOCATED) ? lake.readPinned(Table.SALES_LOCATED, asOf, versions) : null;
  }

  /** The segment reference of the run date (pinned), or no rows when there is none. */
  public static Dataset<Row> readSegments(SparkSession spark, Lake lake, LocalDate asOf, Map<String, Long> versions) {
    return lake.exists(Table.SEGMENTS_BRONZE) ? lake.readPinned(Table.SEGMENTS_BRONZE, asOf, versions)
        : spark.emptyDataFrame().selectExpr("CAST(NULL AS STRING) AS make", "CAST(NULL AS STRING) AS model",
            "CAST(NULL AS STRING) AS segment").where("false");
  }

  private static List<DealerLine> lines(Dataset<Row> df) {
    List<DealerLine> out = new ArrayList<>();
    for (Row r : df.select("dealer_id", "brand", "registration_effectiveness", "expected_registrations",
        "actual_registrations", "band", "registration_effectiveness_local", "expected_registrations_local").collectAsList()) {
      out.add(new DealerLine(r.getString(0), r.getString(1), r.isNullAt(2) ? null : r.getDouble(2), r.getDouble(3),
          r.getLong(4), r.getString(5), r.isNullAt(6) ? null : r.getDouble(6), r.getDouble(7)));
    }
    return out;
  }
}
