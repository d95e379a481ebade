package org.territorypotential.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The segment stage's driver-side logic, no Spark: the adjusted Rand index, stable ids, profile
 * means and names worked by hand, campaign lists and the CRM change list.
 */
class SegmentLogicTest {
  private static final double N = Double.NaN;

  /**
   * x = {0,0,0,1,1,1}, y = {a,a,b,b,c,c}: contingency cells 2,1,1,2 -> sum C(n,2) = 2; rows 3,3 ->
   * 6; columns 2,2,2 -> 3; expected = 6 x 3 / C(6,2) = 1.2; max = (6 + 3) / 2 = 4.5; ARI =
   * (2 - 1.2) / (4.5 - 1.2) = 0.2424.
   */
  @Test
  void adjustedRandIsOneForTheSamePartitionAndMatchesAHandComputation() {
    assertEquals(1.0, Labels.adjustedRand(List.of(0, 0, 1, 1, 2), List.of("b", "b", "a", "a", "c")), 1e-12);
    assertEquals(0.8 / 3.3, Labels.adjustedRand(List.of(0, 0, 0, 1, 1, 1), List.of("a", "a", "b", "b", "c", "c")), 1e-12);
  }

  @Test
  void idsGoBySizeOnAFirstRunThenFollowThePreviousCentroids() {
    double[][] centers = {{0, 0}, {5, 5}, {-5, 5}};
    assertArrayEquals(new String[] {"S02", "S01", "S03"}, Labels.match(centers, new long[] {10, 30, 5}, Map.of()));
    // previous: S01 near (5,5), S02 near (0,0), S04 near (-5,5) (S03 retired): each cluster keeps its neighbour's id
    Map<String, double[]> prev = new TreeMap<>(Map.of("S01", new double[] {4.8, 5.1}, "S02", new double[] {0.2, -0.1},
        "S04", new double[] {-5.2, 4.9}));
    assertArrayEquals(new String[] {"S02", "S01", "S04"}, Labels.match(centers, new long[] {1, 1, 1}, prev));
    // one segment more than before: it takes the smallest id no previous segment used (S03 was not in the previous run)
    double[][] four = {{0, 0}, {5, 5}, {-5, 5}, {0, -9}};
    assertArrayEquals(new String[] {"S02", "S01", "S04", "S03"}, Labels.match(four, new long[] {1, 1, 1, 1}, prev));
    // one fewer: the farthest previous id is left unused, each id at most once
    double[][] two = {{0.1, 0}, {4.9, 5}};
    assertArrayEquals(new String[] {"S02", "S01"}, Labels.match(two, new long[] {1, 1}, prev));
  }

  /**
   * Five units, two features; segment A = units 0, 1, 2; B = units 3, 4; unit 2's second feature
   * is missing. Region: feature 0 mean (1+2+3+10+14)/5 = 6, population sd sqrt((25+16+9+16+64)/5)
   * = sqrt(26); feature 1 mean over 4 values (4+6+20+30)/4 = 15, sd sqrt((121+81+25+225)/4) =
   * sqrt(113). A: means 2 and 5 (the missing value left out), B: 12 and 25. z(A, 0) = (2-6)/sqrt(26)
   * = -0.784; z(B, 1) = 10/sqrt(113) = 0.941. Potential sums A 6, B 9; gaps A 1 - 1 + 2 = 2 and
   * B 4 + (-3) = 1; positive gaps A 3, B 4 of 7.
   */
  @Test
  void profileMeansEqualAHandComputation() {
    double[][] x = {{1, 4}, {2, 6}, {3, N}, {10, 20}, {14, 30}};
    String[] seg = {"A", "A", "A", "B", "B"};
    Profiles.Region r = Profiles.region(x, 2);
    assertArrayEquals(new double[] {6, 15}, r.mean(), 1e-12);
    assertArrayEquals(new double[] {Math.sqrt(26), Math.sqrt(113)}, r.sd(), 1e-12);
    List<Profiles.Profile> p = Profiles.of(seg, x, new double[] {1, 2, 3, 4, 5}, new double[] {1, -1, 2, 4, -3}, r);
    assertEquals(2, p.size());
    Profiles.Profile a = p.get(0);
    Profiles.Profile b = p.get(1);
    assertEquals("A", a.segmentId());
    assertEquals(3, a.units());
    assertEquals(0.6, a.unitShare(), 1e-12);
    assertArrayEquals(new double[] {2, 5}, a.mean(), 1e-12);
    assertArrayEquals(new double[] {12, 25}, b.mean(), 1e-12);
    assertEquals(-4 / Math.sqrt(26), a.z()[0], 1e-12);
    assertEquals(10 / Math.sqrt(113), b.z()[1], 1e-12);
    assertEquals(6, a.potential(), 1e-12);
    assertEquals(9, b.potential(), 1e-12);
    assertEquals(2, a.opportunityGap(), 1e-12);
    assertEquals(1, b.opportunityGap(), 1e-12);
    assertEquals(3 / 7.0, a.opportunityShare(), 1e-12);
    assertEquals(4 / 7.0, b.opportunityShare(), 1e-12);

    List<SegmentParams.Feature> f = List.of(new SegmentParams.Feature("income", 1, "income"),
        new SegmentParams.Feature("growth", 2, "growing|shrinking"));
    // A: z -0.78 (income), -1.04 (growth: (5-15)/sqrt(113), weight 2 first); B: +1.18, +0.94
    assertEquals(Map.of("A", "shrinking, low income", "B", "growing, high income"), Profiles.names(p, f, 0.5, 3));
    assertEquals(Map.of("A", "shrinking", "B", "growing"), Profiles.names(p, f, 0.5, 1));
    assertEquals(Map.of("A", "average (A)", "B", "average (B)"), Profiles.names(p, f, 5, 3));
    // unit 4: income z (14-6)/sqrt(26) = 1.57 x 1, growth (30-15)/sqrt(113) = 1.41 x 2 = 2.82: growth drives it
    assertEquals("growing +1.4 sd", Profiles.reason(x[4], r, f));
    assertEquals("no feature above the region mean", Profiles.reason(x[0], r, f));
  }

  @Test
  void campaignListsRespectSizeMinimumAndRanking() {
    List<Campaigns.Unit> units = List.of(
        new Campaigns.Unit("u1", "T1", "S01", 5, 3, "r"),
        new Campaigns.Unit("u2", "T1", "S01", 9, 7, "r"),
        new Campaigns.Unit("u3", "T1", "S01", 0.5, 50, "r"), // below the minimum potential
        new Campaigns.Unit("u4", "T1", "S01", 2, 7, "r"), // ties u2 on the gap: id order
        new Campaigns.Unit("u5", "T1", "S02", 3, -1, "r"),
        new Campaigns.Unit("u6", null, "S01", 9, 99, "r"), // no territory
        new Campaigns.Unit("u7", "T0", "S01", 1, 1, "r"));
    List<Campaigns.Target> t = Campaigns.targets(units, 2, 1.0);
    assertEquals(List.of("T0/S01/1/u7", "T1/S01/1/u2", "T1/S01/2/u4", "T1/S02/1/u5"), t.stream()
        .map(x -> x.unit().territoryId() + "/" + x.unit().segmentId() + "/" + x.rank() + "/" + x.unit().geoUnitId()).toList());
    assertEquals(5, Campaigns.targets(units, 10, 1.0).size());
    assertEquals(List.of("u2"), Campaigns.targets(units, 10, 6.0).stream().map(x -> x.unit().geoUnitId()).toList());
  }

  @Test
  void crmChangeListIsExactOnKnownMoves() {
    List<CrmChanges.Assignment> before = List.of(
        a("z1", "T1", "team-a", "D1", "S01"), a("z2", "T1", "team-a", "D1", "S02"), a("z3", "T2", "team-b", "D2", "S01"),
        a("z4", "T2", "team-b", "D2", "S02"), a("z5", "T3", "team-c", "D3", "S01"));
    List<CrmChanges.Assignment> now = List.of(
        a("z1", "T1", "team-a", "D1", "S01"), // unchanged
        a("z2", "T2", "team-b", "D2", "S02"), // moved territory, owner, dealer
        a("z3", "T2", "team-b", "D2", "S03"), // re-segmented
        a("z4", "T2", "team-x", "D2", "S02"), // owner changed
        a("z6", "T3", "team-c", "D3", "S01")); // added; z5 removed
    List<CrmChanges.Change> d = CrmChanges.diff(now, before);
    assertEquals(List.of("z1 unchanged null", "z2 moved territory,owner,dealer", "z3 moved segment", "z4 moved owner",
        "z5 removed null", "z6 added null"), d.stream().map(c -> c.geoUnitId() + " " + c.change() + " " + c.changed()).toList());
    assertNull(d.get(4).current());
    assertEquals("T3", d.get(4).previous().territoryId());
    assertEquals("T1", d.get(1).previous().territoryId());
    assertEquals(5, CrmChanges.diff(now, List.of()).stream().filter(c -> c.change().equals(CrmChanges.ADDED)).count());
  }

  /** Features, labels and owners are open maps (any demographics column); weight 0 drops one; owners are codes, not names. */
  @Test
  void settingsAreChecked() {
    SegmentParams p = SegmentParams.from(org.territorypotential.config.AppConfig.load(null, Map.of(
        "tp.segment.features.median_age", "2", "tp.segment.features.growth", "0",
        "tp.segment.crm.owners.\"PMA-D1\"", "team-north")));
    assertEquals(2.0, p.features().stream().filter(f -> f.name().equals("median_age")).findFirst().orElseThrow().weight());
    assertEquals("age", p.features().stream().filter(f -> f.name().equals("median_age")).findFirst().orElseThrow().label());
    assertTrue(p.features().stream().noneMatch(f -> f.name().equals("growth")), "weight 0 leaves growth out");
    assertEquals("team-north", p.ownerOf("PMA-D1"));
    assertEquals("unassigned", p.ownerOf("PMA-D2"));
    assertNull(p.ownerOf(null));
    for (Map<String, String> bad : List.of(Map.of("tp.segment.crm.owners.T1", "Jane Doe"), Map.of("tp.segment.k-min", "1"),
        Map.of("tp.segment.algorithm", "gmm"), Map.of("tp.segment.features.growth", "-1"))) {
      org.territorypotential.config.ConfigError e = org.junit.jupiter.api.Assertions.assertThrows(
          org.territorypotential.config.ConfigError.class,
          () -> SegmentParams.from(org.territorypotential.config.AppConfig.load(null, bad)), bad.toString());
      assertTrue(e.getMessage().contains("tp.segment"), e.getMessage());
    }
  }

  private static CrmChanges.Assignment a(String id, String t, String owner, String dealer, String seg) {
    return new CrmChanges.Assignment(id, id, t, owner, dealer, seg);
  }
}
