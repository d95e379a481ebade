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
    Base b = base(in, p, cached);
    Dataset<Row> assignment = in.territoryAssignment();
    MarketShare.requireKnownAreas(b.unitAreas(), b.windowCounts(), assignment, p);
    Dataset<Row> open = Territories.filterOpenDealers(in.dealersLocated(), p.asOf(), in.pmaBrands());
    DealerFrames d = dealerPerformance(b, open, assignment, p, cached);

    Dataset<Row> share = MarketShare.marketShare(b.unitCounts(), MarketShare.areaMembership(b.unitAreas(), assignment));
    Dataset<Row> history = MarketShare.filterCounted(
        b.registrations().where(col("registration_date").leq(lit(java.sql.Date.valueOf(p.asOf())))), p.retailOnly());
    Dataset<Row> monthly = MarketShare.monthlyRegistrations(history, b.unitAreas(), assignment, p.asOf());
    Dataset<Row> dq = DataQuality.checks(b.windowRegistrations(), d.crossSell(), p.retailOnly());
    return new Outputs(share, monthly, withPeriod(d.bySegment(), p), withPeriod(d.performance(), p),
        withPeriod(d.crossSell(), p), withPeriod(dq, p), cached);
  }

  /**
   * The frames of a run that do not depend on which dealers are open or on their PMAs: the
   * registrations with their segment, the window's, the unit areas (from the configured
   * territories), the unit counts and the window's counts, and the window's sales for the
   * cross-sell matrix.
   */
  public record Base(Dataset<Row> registrations, Dataset<Row> windowRegistrations, Dataset<Row> unitAreas,
      Dataset<Row> unitCounts, Dataset<Row> windowCounts, Dataset<Row> salesInWindow) {}

  /** {@link Base} of the inputs; the frames persisted are added to {@code cached}. */
  public static Base base(Inputs in, MarketParams p, List<Dataset<Row>> cached) {
    Dataset<Row> regs = cache(MarketShare.withSegment(in.registrationsLocated(), in.segments()), cached);
    Dataset<Row> windowRegs = MarketShare.filterWindow(regs, p.windowStart(), p.windowEnd());
    Dataset<Row> counted = MarketShare.filterCounted(windowRegs, p.retailOnly());
    Dataset<Row> unitAreas = cache(MarketShare.unitAreas(in.geoUnits(), in.level(), in.territoryAssignment(), p), cached);
    Dataset<Row> unitCounts = cache(MarketShare.unitCounts(counted, p), cached);
    Dataset<Row> windowCounts = unitCounts.where(col("period_type").equalTo(MarketShare.WINDOW));
    Dataset<Row> retailWindow = p.retailOnly() ? windowRegs.where(col("is_fleet").equalTo(false)) : windowRegs;
    return new Base(regs, windowRegs, unitAreas, unitCounts, windowCounts,
        CrossSell.salesInWindow(in.salesLocated(), retailWindow, p.windowStart(), p.windowEnd()));
  }

  /** The dealer frames of {@link #dealerPerformance}. */
  public record DealerFrames(Dataset<Row> dealers, Dataset<Row> bySegment, Dataset<Row> crossSell, Dataset<Row> performance) {}

  /**
   * Expected registrations per dealer and segment, the cross-sell matrix and dealer performance
   * (effectiveness) for one set of open dealers and one territory assignment: the market stage's
   * computation, which the design stage's what-ifs call again with a scenario's dealers and PMAs.
   * Only the PMA rows of the dealers' brands matter to their rows (benchmark shares and unit areas
   * come from {@code b}). The frames persisted are added to {@code cached}.
   */
  public static DealerFrames dealerPerformance(Base b, Dataset<Row> openDealers, Dataset<Row> assignment, MarketParams p,
      List<Dataset<Row>> cached) {
    Dataset<Row> dealers = cache(Expected.dealers(openDealers, assignment, b.unitAreas()), cached);
    Dataset<Row> bySegment = cache(Expected.bySegment(b.windowCounts(), dealers, assignment, b.unitAreas(), p), cached);
    Dataset<Row> matrix = cache(CrossSell.matrix(b.salesInWindow(), assignment, openDealers), cached);
    Dataset<Row> perf = cache(Effectiveness.performance(bySegment, dealers, CrossSell.perDealer(matrix, dealers), p), cached);
    return new DealerFrames(dealers, bySegment, matrix, perf);
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
