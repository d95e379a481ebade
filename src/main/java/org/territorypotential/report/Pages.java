package org.territorypotential.report;

import java.util.List;

/** What the templates (src/main/jte) render: plain values, formatted here, escaped by jte. */
public final class Pages {
  private Pages() {}

  /** One vendored library as the footer lists it. */
  public record Lib(String name, String version, String licenceFile) {}

  /** One row of the top-opportunity table. */
  public record TopRow(int rank, String territoryId, String dealerName, String potential, String pace, String gap,
      String score, String band) {}

  /** One territory option of the forecast chart's selector. */
  public record Option(String value, String label) {}

  /** One dealer's link in the report. */
  public record DealerLink(String name, String href, String effectiveness, String band) {}

  /** One assignment of one design scenario (territory_design_metrics, summed over its territories). */
  public record DesignRow(String scenarioId, String assignment, String balance, String territories, String maxDeviation,
      String meanPolsbyPopper, String contiguous, String unitsMoved, String feasible) {}

  /** One dealer of one what-if scenario (whatif_results). */
  public record WhatIfRow(String scenarioId, String action, String dealerId, String pmaUnits, String pmaPotential,
      String capturedChange, String brandGain) {}

  /** The run's report page; {@code design} and {@code whatIf} are empty when the design stage has not run for it. */
  public record Report(String title, String asOf, String runId, String brand, String territoryType, String inputVersions,
      boolean hasUnitValues, List<TopRow> top, List<Option> territories, List<DealerLink> dealers, List<Lib> libs,
      String css, String leafletCss, String leafletJs, String echartsJs, String reportJs, String dataJson,
      List<DesignRow> design, List<WhatIfRow> whatIf) {}

  /** One labelled figure of a dealer sheet; {@code field} is the dealer_performance column it shows (tests compare them). */
  public record Figure(String label, String field, String text) {}

  /** One segment row of a dealer sheet (dealer_expected_by_segment). */
  public record SegmentRow(String segment, String industry, String brand, String benchmarkShare, String expected,
      String localShare, String expectedLocal, String note) {}

  /** A dealer's disclosure sheet; the PMA map is an SVG drawn here (no script, so it prints). */
  public record Sheet(String asOf, String runId, String dealerId, String dealerName, String brand, String band,
      String bandClass, List<Figure> figures, List<SegmentRow> segments, String viewBox, String pmaPath, String mdaPath,
      String dealerX, String dealerY, String css, String period) {}

  /** One run of the index. */
  public record IndexRow(String asOf, String href) {}

  public record Index(List<IndexRow> runs, String css) {}
}
