package org.territorypotential.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The benchmark's markdown update: its own section and scale subsection replaced, everything else kept. */
class LocateBenchReportTest {
  @Test
  void upsertKeepsOtherSectionsAndScales() {
    String doc = "# Benchmarks\n\n## Forecast accuracy\n\nmape 12%\n";
    String one = LocateBench.upsertSubsection(doc, "Loc", "pre", "1 pts", "a");
    assertEquals("# Benchmarks\n\n## Forecast accuracy\n\nmape 12%\n\n## Loc\n\npre\n\n### 1 pts\n\na\n", one);
    String two = LocateBench.upsertSubsection(one + "\n### Notes\n\nkeep me\n", "Loc", "pre2", "2 pts", "b");
    assertEquals("# Benchmarks\n\n## Forecast accuracy\n\nmape 12%\n\n## Loc\n\npre2\n\n### 1 pts\n\na\n\n### Notes\n\nkeep me\n"
        + "\n### 2 pts\n\nb\n", two);
    String moved = "# Benchmarks\n\n## Loc\n\npre\n\n### 1 pts\n\na\n\n## Forecast accuracy\n\nmape 12%\n";
    assertEquals("# Benchmarks\n\n## Loc\n\npre\n\n### 1 pts\n\nc\n\n## Forecast accuracy\n\nmape 12%\n",
        LocateBench.upsertSubsection(moved, "Loc", "pre", "1 pts", "c"));
  }
}
