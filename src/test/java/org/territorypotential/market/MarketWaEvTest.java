package org.territorypotential.market;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.WaEv;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;

/**
 * Real data (skipped when ../shared/data/wa-ev is absent): the Washington EV registrations,
 * located by county on the shared WA lakehouse ({@link WaEv#countyMarket()}), and the registration effectiveness of every Nissan dealership's PMA
 * against the state's Nissan share per EV segment (segments from the shipped reference).
 */
class MarketWaEvTest {
  private static final LocalDate AS_OF = WaEv.AS_OF;

  @Test
  void nissanRegistrationEffectivenessInWashington() {
    MarketJob.Result r = WaEv.countyMarket();
    AppConfig cfg = WaEv.config(Map.of("tp.locate.level", "county"));
    var spark = TestSpark.session();

    Lake lake = new Lake(spark, cfg);
    List<Row> rows = lake.read(Table.DEALER_PERFORMANCE, AS_OF).where("brand = 'NISSAN'").orderBy(col("registration_effectiveness").desc_nulls_last())
        .select("dealer_id", "dealer_name", "pma_units", "industry_registrations", "expected_registrations",
            "actual_registrations", "registration_effectiveness", "registration_effectiveness_local", "band")
        .collectAsList();
    StringBuilder table = new StringBuilder("| dealer | PMA counties | EV registrations in PMA | expected Nissan |"
        + " actual Nissan | RE | RE local (county) | band |\n|---|---|---|---|---|---|---|---|\n");
    for (Row x : rows) {
      table.append(String.format(java.util.Locale.ROOT, "| %s | %d | %d | %.1f | %d | %s | %s | %s |%n", x.getString(1),
          x.getLong(2), x.getLong(3), x.getDouble(4), x.getLong(5), x.isNullAt(6) ? "null" : String.format("%.1f", x.getDouble(6)),
          x.isNullAt(7) ? "null" : String.format("%.1f", x.getDouble(7)), x.getString(8)));
    }
    System.out.println("[wa-ev market] Nissan dealers (window " + r.windowStart() + " .. " + r.windowEnd() + "):\n" + table);
    lake.read(Table.DEALER_EXPECTED_BY_SEGMENT, AS_OF).where(col("industry_registrations").gt(0).and(col("brand").equalTo("NISSAN")))
        .select("dealer_id", "segment", "industry_registrations", "benchmark_share", "expected_registrations",
            "brand_registrations").orderBy("dealer_id", "segment").show(60, false);
    lake.read(Table.MARKET_DATA_QUALITY, AS_OF).select("check_name", "affected", "base", "share").show(false);

    assertTrue(rows.size() >= 5, "Nissan dealers measured: " + rows.size());
    // Nissan's expected over its PMAs = its registrations in the state (the PMAs cover every county)
    double expected = rows.stream().mapToDouble(x -> x.getDouble(4)).sum();
    long actual = rows.stream().mapToLong(x -> x.getLong(5)).sum();
    Row state = lake.read(Table.MARKET_SHARE, AS_OF).where("area_type = 'state' AND period_type = 'window' AND brand = 'NISSAN'")
        .agg(org.apache.spark.sql.functions.sum("brand_registrations")).first();
    assertEquals(state.getLong(0), actual, "actual Nissan over the PMAs = Nissan in the state");
    assertEquals(actual, expected, 1e-6);
  }
}
