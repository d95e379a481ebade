package org.territorypotential.segment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/** The CRM export's change list: this run's assignments against the previous run's. No Spark. */
public final class CrmChanges {
  private CrmChanges() {}

  public static final String ADDED = "added";
  public static final String REMOVED = "removed";
  public static final String MOVED = "moved";
  public static final String UNCHANGED = "unchanged";

  /** One unit's assignment: unit (and ZIP) -> territory -> owner -> dealer -> segment. */
  public record Assignment(String geoUnitId, String zip, String territoryId, String owner, String dealerId,
      String segmentId) {}

  /**
   * One unit's change: added (not in the previous run), removed (only in the previous run; current
   * is null), moved (territory, owner, dealer or segment differ: {@code changed} names them) or
   * unchanged.
   */
  public record Change(String geoUnitId, Assignment current, Assignment previous, String change, String changed) {}

  /** Every unit of either run, by geo unit id. An empty previous run makes every unit added. */
  public static List<Change> diff(List<Assignment> current, List<Assignment> previous) {
    Map<String, Assignment> now = index(current);
    Map<String, Assignment> before = index(previous);
    TreeSet<String> ids = new TreeSet<>(now.keySet());
    ids.addAll(before.keySet());
    List<Change> out = new ArrayList<>();
    for (String id : ids) {
      Assignment a = now.get(id);
      Assignment b = before.get(id);
      if (b == null) {
        out.add(new Change(id, a, null, ADDED, null));
      } else if (a == null) {
        out.add(new Change(id, null, b, REMOVED, null));
      } else {
        List<String> changed = new ArrayList<>();
        if (!Objects.equals(a.territoryId(), b.territoryId())) {
          changed.add("territory");
        }
        if (!Objects.equals(a.owner(), b.owner())) {
          changed.add("owner");
        }
        if (!Objects.equals(a.dealerId(), b.dealerId())) {
          changed.add("dealer");
        }
        if (!Objects.equals(a.segmentId(), b.segmentId())) {
          changed.add("segment");
        }
        out.add(new Change(id, a, b, changed.isEmpty() ? UNCHANGED : MOVED, changed.isEmpty() ? null : String.join(",", changed)));
      }
    }
    return out;
  }

  private static Map<String, Assignment> index(List<Assignment> l) {
    Map<String, Assignment> m = new TreeMap<>();
    for (Assignment a : l) {
      if (m.put(a.geoUnitId(), a) != null) {
        throw new IllegalArgumentException("unit " + a.geoUnitId() + " is assigned twice");
      }
    }
    return m;
  }
}
