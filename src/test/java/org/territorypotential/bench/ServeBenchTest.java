package org.territorypotential.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** bench-serve's figures without Spark: nearest-rank percentiles and one query's line. */
class ServeBenchTest {
  @Test
  void nearestRankPercentiles() {
    // 1..100 in a shuffled order: the p-th percentile is p itself
    double[] hundred = new double[100];
    for (int i = 0; i < 100; i++) {
      hundred[i] = (i * 37) % 100 + 1;
    }
    assertEquals(50.0, ServeBench.percentile(hundred, 50));
    assertEquals(95.0, ServeBench.percentile(hundred, 95));
    assertEquals(99.0, ServeBench.percentile(hundred, 99));
    assertEquals(100.0, ServeBench.percentile(hundred, 100));
    // 5 values: rank ceil(0.5*5)=3 -> 3rd smallest; ceil(0.95*5)=5 -> the largest; ceil(0.01*5)=1
    double[] five = {0.9, 0.1, 0.5, 0.3, 0.7};
    assertEquals(0.5, ServeBench.percentile(five, 50));
    assertEquals(0.9, ServeBench.percentile(five, 95));
    assertEquals(0.1, ServeBench.percentile(five, 1));
    assertEquals(0.9, five[0], "the input is not sorted in place");
    assertTrue(Double.isNaN(ServeBench.percentile(new double[0], 50)));
    assertThrows(IllegalArgumentException.class, () -> ServeBench.percentile(five, 0));
  }

  @Test
  void lineCountsErrorsAsRunsAndShowsRowCounts() {
    ServeBench.Line l = ServeBench.line("top10", new double[] {0.2, 0.4, 0.3}, 2, List.of(10, 10, 9), "boom");
    assertEquals(5, l.runs());
    assertEquals(2, l.errors());
    assertEquals(0.3, l.p50());
    assertEquals(0.4, l.max());
    assertEquals("9,10", l.rowCounts());
    String table = ServeBench.table(List.of(l));
    assertTrue(table.contains("| top10 | 5 | 2 | 0.300 | 0.400 | 0.400 | 0.400 | 9,10 |"), table);
  }
}
