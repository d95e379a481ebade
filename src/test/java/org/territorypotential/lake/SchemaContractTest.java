package org.territorypotential.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.territorypotential.DemoFixture;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.ops.RunContext;

/**
 * Every table's declared schema (Table.schema) is what its transform writes, and the write path
 * holds every write to it. The shared demo ran every stage's transforms through {@link Lake#write},
 * which rejects any difference of name, type or order: each gold table it wrote has rows and
 * exactly its declared schema. A frame one column off is rejected before Delta is touched.
 */
class SchemaContractTest {

  @Test
  void everyGoldTableOfTheDemoHasItsDeclaredSchema() {
    DemoFixture.get();
    SparkSession spark = TestSpark.session();
    AppConfig cfg = TestSpark.config(DemoFixture.DB, Map.of("tp.lakehouse",
        new File(TestSpark.dir(DemoFixture.DB), "lake").getAbsolutePath()));
    Lake lake = new Lake(spark, cfg);
    int checked = 0;
    for (Table t : Table.values()) {
      if (t.layer != Layer.GOLD) {
        continue;
      }
      Dataset<Row> written = lake.read(t, LocalDate.parse(DemoFixture.AS_OF));
      assertEquals(List.of(), Schemas.differences(t.schema(), written.schema(), false), t.toString());
      assertTrue(written.limit(1).count() > 0, t + " has rows of the demo's run date");
      checked++;
    }
    assertEquals(16, checked, "gold tables");
  }

  @Test
  void aFrameThatDiffersFromTheDeclaredSchemaIsRejected() {
    SparkSession spark = TestSpark.session();
    AppConfig cfg = TestSpark.config("schema_contract", Map.of());
    Lake lake = new Lake(spark, cfg);
    Table t = Table.MARKET_DATA_QUALITY;
    LocalDate asOf = LocalDate.parse("2024-06-30");
    Lake.Lineage lineage = new Lake.Lineage(RunContext.start("market", asOf), "fixture@1", null);
    Dataset<Row> good = spark.sql("SELECT 'unlocated' AS check_name, 2L AS affected, 10L AS base, 0.2D AS share,"
        + " 'fixture' AS description, DATE'2023-07-01' AS period_start, DATE'2024-06-30' AS period_end");
    Map<String, Dataset<Row>> bad = Map.of(
        "missing column period_end", good.drop("period_end"),
        "unexpected column extra", good.withColumn("extra", functions.lit(1)),
        "column affected is int", good.withColumn("affected", functions.lit(2)),
        "columns in another order", good.select("affected", "check_name", "base", "share", "description", "period_start",
            "period_end"));
    bad.forEach((why, rows) -> {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> lake.write(t, rows, lineage), why);
      assertTrue(e.getMessage().contains(why), e.getMessage());
    });
    assertEquals(-1, lake.version(t), "nothing was created");
    Lake.Written w = lake.write(t, good, lineage);
    assertEquals(1, w.rows(), "rows from the commit's metrics");
    assertEquals(List.of("run_id", "input_versions", "as_of"),
        List.of(lake.read(t).columns()).subList(7, 10), "lineage columns last");
    assertThrows(IllegalArgumentException.class, () -> lake.write(t, good, Lake.Lineage.of(RunContext.start("m", asOf))),
        "a gold write needs its input versions");

    // A batch (tp.lake.parallel-writes): every write runs to its end, then the first failure is raised.
    Lake.Lineage next = new Lake.Lineage(RunContext.start("market", asOf.plusDays(1)), "fixture@1", null);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> lake.writeAll(List.of(
        new Lake.Request(Table.CROSS_SELL, good, next), new Lake.Request(t, good, next))));
    assertTrue(e.getMessage().contains("CROSS_SELL"), e.getMessage());
    assertEquals(w.version() + 1, lake.version(t), "the good write of the batch committed");
    assertEquals(2, lake.read(t).count());
  }
}
