package org.territorypotential.market;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.territorypotential.geo.Territories;

/**
 * The whole market computation from silver frames to the gold frames (before lineage columns),
 * wiring the transforms of this package; {@link MarketJob} reads and writes around it and tests
 * call it on hand-built frames.
 */
public final class Market {
  private Market() {}

  /**
   * The silver inputs of one run date. {@code sales} may be null (no sales input);
   * {@code segments} may be empty.
   */
  public record Inputs(Dataset<Row> registrationsLocated, Dataset<Row> segments, Dataset<Row> geoUnits, String level,
      Dataset<Row> territoryAssignment, Dataset<Row> dealersLocated, Dataset<Row> salesLocated, List<String> pmaBrands) {}

  /** The gold frames; {@code cached} are the frames persisted on the way, to unpersist when written. */
  public record Outputs(Dataset<Row> marketShare, Dataset<Row> monthlyRegistrations, Dataset<Row> expectedBySegment,
      Dataset<Row> performance, Dataset<Row> crossSell, Dataset<Row> dataQuality, List<Dataset<Row>> cached) {
    public void unpersist() {
      cached.forEach(Dataset::unpersist);
    }
  }

  public static Outputs compute(Inputs in, MarketParams p) {
    List<Dataset<Row>> cached = new ArrayList<>();
    Dataset<Row> regs = cache(MarketShare.withSegment(in.registrationsLocated(), in.segments()), cached);
    Dataset<Row> windowRegs = MarketShare.filterWindow(regs, p.windowStart(), p.windowEnd());
    Dataset<Row> counted = MarketShare.filterCounted(windowRegs, p.retailOnly());
    Dataset<Row> assignment = in.territoryAssignment();
    Dataset<Row> unitAreas = cache(MarketShare.unitAreas(in.geoUnits(), in.level(), assignment, p), cached);
    Dataset<Row> unitCounts = cache(MarketShare.unitCounts(counted, p), cached);

    Dataset<Row> open = Territories.filterOpenDealers(in.dealersLocated(), p.asOf(), in.pmaBrands());
    Dataset<Row> dealers = cache(Expected.dealers(open, assignment, unitAreas), cached);
    Dataset<Row> windowCounts = unitCounts.where(col("period_type").equalTo(MarketShare.WINDOW));
    MarketShare.requireKnownAreas(unitAreas, windowCounts, assignment, p);
    Dataset<Row> bySegment = cache(Expected.bySegment(windowCounts, dealers, assignment, unitAreas, p), cached);

    Dataset<Row> retailWindow = p.retailOnly() ? windowRegs.where(col("is_fleet").equalTo(false)) : windowRegs;
    Dataset<Row> matrix = cache(CrossSell.matrix(
        CrossSell.salesInWindow(in.salesLocated(), retailWindow, p.windowStart(), p.windowEnd()), assignment, open), cached);
    Dataset<Row> perf = cache(Effectiveness.performance(bySegment, dealers, CrossSell.perDealer(matrix, dealers), p), cached);

    Dataset<Row> share = MarketShare.marketShare(unitCounts, MarketShare.areaMembership(unitAreas, assignment));
    Dataset<Row> history = MarketShare.filterCounted(
        regs.where(col("registration_date").leq(lit(java.sql.Date.valueOf(p.asOf())))), p.retailOnly());
    Dataset<Row> monthly = MarketShare.monthlyRegistrations(history, unitAreas, assignment, p.asOf());
    Dataset<Row> dq = DataQuality.checks(windowRegs, matrix, p.retailOnly());
    return new Outputs(share, monthly, withPeriod(bySegment, p), withPeriod(perf, p), withPeriod(matrix, p),
        withPeriod(dq, p), cached);
  }

  private static Dataset<Row> cache(Dataset<Row> df, List<Dataset<Row>> cached) {
    Dataset<Row> c = df.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(c);
    return c;
  }

  /** Adds the window as period_start / period_end. */
  static Dataset<Row> withPeriod(Dataset<Row> df, MarketParams p) {
    return df.withColumn("period_start", lit(java.sql.Date.valueOf(p.windowStart())))
        .withColumn("period_end", lit(java.sql.Date.valueOf(p.windowEnd())));
  }
}
