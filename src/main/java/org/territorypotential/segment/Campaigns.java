package org.territorypotential.segment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Campaign target lists: per territory and segment, the units ranked by opportunity. No Spark. */
public final class Campaigns {
  private Campaigns() {}

  /** A unit that may be targeted. */
  public record Unit(String geoUnitId, String territoryId, String segmentId, double potential, double opportunityGap,
      String reason) {}

  /** One row of a list: rank 1 = the largest opportunity gap of its territory and segment. */
  public record Target(Unit unit, int rank) {}

  /**
   * Per territory x segment (units without a territory are left out), the units with potential >=
   * {@code minPotential}, ranked by opportunity gap (largest first; ties: geo unit id), at most
   * {@code listSize} of them. Lists in territory, segment order.
   */
  public static List<Target> targets(List<Unit> units, int listSize, double minPotential) {
    Map<String, List<Unit>> lists = new TreeMap<>();
    for (Unit u : units) {
      if (u.territoryId() != null && u.potential() >= minPotential) {
        lists.computeIfAbsent(u.territoryId() + "\u0000" + u.segmentId(), x -> new ArrayList<>()).add(u);
      }
    }
    List<Target> out = new ArrayList<>();
    for (List<Unit> l : lists.values()) {
      l.sort(Comparator.comparingDouble(Unit::opportunityGap).reversed().thenComparing(Unit::geoUnitId));
      for (int r = 0; r < Math.min(listSize, l.size()); r++) {
        out.add(new Target(l.get(r), r + 1));
      }
    }
    return out;
  }
}
