package org.territorypotential.forecast;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything after the model's predictions, in plain Java on the driver: the choice of a model
 * and of a method per level on the tuning origins, the coherent reconciliation, the metrics of
 * every origin x horizon x level x method (WAPE, MAPE, MASE, bias), the conformal intervals and
 * their coverage on the held-out origins. Its input is a list of {@link Point}s (unit series x
 * origin x horizon, with every method's forecast), a few hundred thousand on the demo.
 *
 * <p><b>Reconciliation</b>: top-down or MinT ({@link MinT}), whichever of the offered ones has the
 * lowest mean tuning WAPE over the levels without losing to the best baseline at any level. That
 * WAPE is out of sample for both: MinT's covariance at a tuning origin comes from the earlier
 * tuning origins only, and the choice is scored on the tuning origins that have an earlier one.
 * Top-down through the chosen methods: at each origin x horizon x
 * segment, the state total is the state-level method's sum over the units; it is split over the
 * territories in proportion to the territory-level method's sums, and each territory's share over
 * its units in proportion to the unit-level method's forecasts (an all-zero split falls back to
 * equal shares). Territory and state values are then the sums of the published units, so the
 * levels agree to rounding. When every level chose the same method the result is that method
 * unchanged.
 */
public final class Evaluation {
  /** Held-out and tuning origins, as recorded in model_metrics.split. */
  public static final String TUNING = "tuning";
  public static final String HELD_OUT = "held_out";
  /** The method name of the reconciled, published forecast in the metrics. */
  public static final String PUBLISHED = "published";
  /** Interval quantiles: 2.5%, 10%, 90%, 97.5% of the log residuals. */
  static final double[] QS = {0.025, 0.10, 0.90, 0.975};

  /** One unit series x origin (a month index of the panel) x horizon: every method's forecast and the actual (NaN = unknown). */
  public static final class Point {
    final int unit;
    final int origin;
    final int h;
    final double actual;
    final double[] f;
    double published;
    /** The forecast of each offered reconciliation (see {@link Evaluation#RECONCILIATIONS}); published is one of them. */
    double[] rec = new double[0];
    /** MinT's reconciled value, the shares below a held-out fallback when MinT was the tuning choice. */
    double mint;

    public Point(int unit, int origin, int h, double actual, double[] f) {
      this.unit = unit;
      this.origin = origin;
      this.h = h;
      this.actual = actual;
      this.f = f;
    }
  }

  /**
   * The winning model candidate (lowest unit WAPE on the tuning origins), the method published
   * at each level (chosen on the tuning origins, unless the held-out guard replaced it), those
   * tuning WAPEs (level -> method -> WAPE) and the published reconciliation. {@code fallback}:
   * level -> the tuning choice the held-out guard replaced by the best baseline there (empty
   * when it replaced none); {@code tuningReconciliation}: the reconciliation the tuning origins
   * chose (the guard publishes top-down when the tuning choice loses at some level);
   * {@code harmonic}: level -> the method reconciled below {@link #HARMONIC} where the state's
   * seasonal regression replaced the reconciled forecast of that level (see
   * {@link Evaluation#harmonicOverride}; empty when it replaced none).
   */
  public record Choice(String model, Map<String, String> byLevel, Map<String, Map<String, Double>> tuningWape,
      String reconciliation, Map<String, String> fallback, String tuningReconciliation, Map<String, String> harmonic) {
    public Choice(String model, Map<String, String> byLevel, Map<String, Map<String, Double>> tuningWape,
        String reconciliation, Map<String, String> fallback, String tuningReconciliation) {
      this(model, byLevel, tuningWape, reconciliation, fallback, tuningReconciliation, Map.of());
    }

    public Choice(String model, Map<String, String> byLevel, Map<String, Map<String, Double>> tuningWape) {
      this(model, byLevel, tuningWape, TOP_DOWN);
    }

    public Choice(String model, Map<String, String> byLevel, Map<String, Map<String, Double>> tuningWape,
        String reconciliation) {
      this(model, byLevel, tuningWape, reconciliation, Map.of(), reconciliation);
    }

    /** The method the tuning origins chose at a level (before the held-out guard). */
    public String tuningMethod(String level) {
      return fallback.getOrDefault(level, byLevel.get(level));
    }

    /** The methods the reconciliation (MinT or top-down) was computed with: the tuning choice below any override. */
    Map<String, String> baseByLevel() {
      Map<String, String> m = new LinkedHashMap<>(byLevel);
      m.putAll(fallback);
      m.putAll(harmonic);
      return m;
    }

    /** The levels that publish their own method's total rather than the reconciliation's: fallbacks and overrides. */
    java.util.Set<String> ownLevels() {
      java.util.Set<String> s = new java.util.HashSet<>(fallback.keySet());
      s.addAll(harmonic.keySet());
      return s;
    }
  }

  /** The reconciliations that can be offered: top-down through the chosen methods, and MinT with shrinkage. */
  public static final String TOP_DOWN = "top_down";
  public static final String MINT = "mint";
  public static final List<String> RECONCILIATIONS = List.of(TOP_DOWN, MINT);
  /**
   * Not offered, only published: what the held-out guard publishes when MinT was the tuning choice
   * and some level fell back to a baseline: the fallback level's total split over the levels below
   * it in proportion to MinT's reconciled values (top-down with MinT's shares).
   */
  public static final String MINT_SHARES = "mint_shares";

  /** A model_metrics row (coverage only on the published method's held-out rows). */
  public record Metric(LocalDate origin, int horizon, String level, String method, String split, Double wape, Double mape,
      Double mase, Double bias, double absErrorSum, double actualSum, double forecastSum, long nSeries, Double coverage80,
      Double coverage95) {}

  /** A published forecast row. */
  public record Forecast(String seriesId, String level, String segment, LocalDate targetMonth, int horizon, double forecast,
      Double lower80, Double upper80, Double lower95, Double upper95, String method) {}

  /** What the backtest evaluation gives: the choice, the metrics and the interval quantiles (level -> horizon -> q). */
  public record Result(Choice choice, List<Metric> metrics, Map<String, Map<Integer, double[]>> quantiles) {}

  private final Panel panel;
  private final List<String> methods;
  private final List<String> candidates;
  /** Every series of every level (a unit, a territory or a state in a segment), numbered; {@code nodeOf[level][unit]}: the unit's node there. */
  private final List<Node> allNodes = new ArrayList<>();
  private final int[][] nodeOf;
  private final List<String> reconciliations;
  private final int mintMaxAggregates;
  private final HarmonicTrend.Settings harmonic;
  /** The state regression's fit per "state segment" from the last call of {@link #harmonic}'s newest origin. */
  private final Map<String, HarmonicTrend.Fit> harmonicFits = new java.util.TreeMap<>();
  /** Hierarchy groups (segment | state) for MinT, and each unit's group and position in it. */
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Group[] groupOf;
  private final int[] posOf;
  /** Passes over aggregates so far (each marks the territory and state sums it has shown). */
  private int passes;
  /** Each territory and state node's number among them (-1 for a unit), and how many there are. */
  private final int[] upperOf;
  private final int upperCount;
  /** MinT fitted on every backtest origin's residuals, for the published forecast (set by evaluate). */
  private Map<String, MinT> mintAll = Map.of();

  /** A series of one level: its key and its monthly values (a territory's or state's: the sum of its units) from {@code start}. */
  private static final class Node {
    final String level;
    final int levelIndex;
    final String id;
    final String segment;
    final double[] y;
    int start;

    Node(String level, String id, String segment, double[] y, int start) {
      this.level = level;
      this.levelIndex = Levels.ALL.indexOf(level);
      this.id = id;
      this.segment = segment;
      this.y = y;
      this.start = start;
    }
  }

  /**
   * A map key of a node (or unit) x origin x horizon: the driver's loops over a few hundred
   * thousand points key by it, not by strings ({@code origin} a month index under 4,096, {@code h}
   * under 64). The packed bits are multiplied by an odd constant (a bijection, so keys stay
   * distinct): packed as they are, the few origins and horizons in use filled few hash buckets and
   * {@link java.util.HashMap} fell back to tree bins.
   */
  static long key(int node, int origin, int h) {
    if (origin < 0 || origin >= 1 << 12 || h < 0 || h >= 1 << 6) {
      throw new IllegalArgumentException("origin index " + origin + " or horizon " + h + " out of range");
    }
    return (((long) node << 18) | ((long) origin << 6) | h) * 0x9E3779B97F4A7C15L;
  }

  /** One MinT group: a segment in a state, its territories (1..t, in order seen) and units. */
  private static final class Group {
    final Map<String, Integer> territories = new LinkedHashMap<>();
    final List<Integer> units = new ArrayList<>();
    final List<Integer> unitTerritory = new ArrayList<>();
  }

  /**
   * @param methods the forecasts' order in every point: the model candidates, then
   *     {@link Panel#BASELINES}
   * @param candidates the model candidates among them
   */
  public Evaluation(Panel panel, List<String> methods, List<String> candidates) {
    this(panel, methods, candidates, List.of(TOP_DOWN), 0);
  }

  /**
   * @param reconciliations offered reconciliations ({@link #RECONCILIATIONS}); with more than one,
   *     the choice is made on the tuning origins
   * @param mintMaxAggregates above this many aggregates (territories + 1) in a segment, MinT uses
   *     the diagonal of its covariance only (WLS-var)
   */
  public Evaluation(Panel panel, List<String> methods, List<String> candidates, List<String> reconciliations,
      int mintMaxAggregates) {
    this(panel, methods, candidates, reconciliations, mintMaxAggregates, HarmonicTrend.Settings.DEFAULT);
  }

  /** As above, with {@link HarmonicTrend}'s settings. */
  public Evaluation(Panel panel, List<String> methods, List<String> candidates, List<String> reconciliations,
      int mintMaxAggregates, HarmonicTrend.Settings harmonic) {
    this.panel = panel;
    this.harmonic = harmonic;
    this.methods = methods;
    this.candidates = candidates;
    if (reconciliations.isEmpty() || !RECONCILIATIONS.containsAll(reconciliations)) {
      throw new IllegalArgumentException("reconciliations must be some of " + RECONCILIATIONS + ", got " + reconciliations);
    }
    this.reconciliations = List.copyOf(reconciliations);
    this.mintMaxAggregates = mintMaxAggregates;
    groupOf = new Group[panel.series().size()];
    posOf = new int[panel.series().size()];
    for (int u = 0; u < panel.series().size(); u++) {
      Panel.Series s = panel.series().get(u);
      Group g = groups.computeIfAbsent(s.segment() + "|" + s.state(), k -> new Group());
      int t = g.territories.computeIfAbsent(s.territory(), k -> g.territories.size() + 1);
      groupOf[u] = g;
      posOf[u] = g.units.size();
      g.units.add(u);
      g.unitTerritory.add(t);
    }
    nodeOf = new int[Levels.ALL.size()][panel.series().size()];
    Map<String, Integer> nodeIndex = new HashMap<>();
    for (int u = 0; u < panel.series().size(); u++) {
      Panel.Series s = panel.series().get(u);
      nodeOf[0][u] = allNodes.size();
      allNodes.add(new Node(Levels.UNIT, s.id(), s.segment(), s.y(), s.start()));
      for (int l = 1; l < Levels.ALL.size(); l++) {
        String level = Levels.ALL.get(l);
        String id = idAt(level, s);
        int n = nodeIndex.computeIfAbsent(level + "|" + id + "|" + s.segment(), k -> {
          allNodes.add(new Node(level, id, s.segment(), new double[panel.months()], s.start()));
          return allNodes.size() - 1;
        });
        Node node = allNodes.get(n);
        for (int t = 0; t < node.y.length; t++) {
          node.y[t] += s.y()[t];
        }
        node.start = Math.min(node.start, s.start());
        nodeOf[l][u] = n;
      }
    }
    upperOf = new int[allNodes.size()];
    int upper = 0;
    for (int n = 0; n < allNodes.size(); n++) {
      upperOf[n] = allNodes.get(n).levelIndex == Levels.ALL.indexOf(Levels.UNIT) ? -1 : upper++;
    }
    upperCount = upper;
  }

  /** The series id of a unit at a level. */
  private String idAt(String level, Panel.Series s) {
    return switch (level) {
      case Levels.UNIT -> s.id();
      case Levels.TERRITORY -> s.territory();
      default -> s.state();
    };
  }

  /**
   * The per-level sums of actuals, every method and the published forecast, per series x origin x
   * horizon. Read-only for the loops over {@link #aggregate}, which must not keep one past its
   * turn: a unit's is one reused view of its point (the points are unique per unit x origin x
   * horizon, {@link #evaluate} checks it), so the unit level, most of the aggregates, allocates
   * nothing.
   */
  private static final class Agg {
    int node;
    String level;
    String id;
    String segment;
    int origin;
    int h;
    double actual;
    double[] f;
    double published;
    double[] rec;
    /** The number of the last pass over the aggregates that visited this one (a territory's or state's). */
    int seen;

    Agg() {}

    Agg(int node, Node n, int origin, int h, double[] f) {
      set(node, n, origin, h, f);
    }

    private void set(int node, Node n, int origin, int h, double[] f) {
      this.node = node;
      this.level = n.level;
      this.id = n.id;
      this.segment = n.segment;
      this.origin = origin;
      this.h = h;
      this.f = f;
    }

    /** This view now shows a unit's point. */
    Agg view(int node, Node n, Point p) {
      set(node, n, p.origin, p.h, p.f);
      actual = p.actual;
      published = p.published;
      rec = p.rec;
      return this;
    }
  }

  /**
   * The metric sums of level x method x origin x horizon, dense ({@link #SUMS} doubles per cell:
   * a few hundred thousand at most, against a map entry per aggregate and method), and the cells
   * in the order they were first touched.
   */
  private static final class Cells {
    static final int SUMS = 10;
    final double[] sums;
    final boolean[] seen;
    final List<Integer> order = new ArrayList<>();
    final int methods;
    final int origins;
    final int horizons;

    Cells(int levels, int methods, int origins, int maxH) {
      this.methods = methods;
      this.origins = origins;
      this.horizons = maxH + 1;
      seen = new boolean[levels * methods * origins * horizons];
      sums = new double[seen.length * SUMS];
    }

    /** The first of the cell's sums (its index times {@link #SUMS}). */
    int at(int level, int method, int origin, int h) {
      int cell = ((level * methods + method) * origins + origin) * horizons + h;
      if (!seen[cell]) {
        seen[cell] = true;
        order.add(cell);
      }
      return cell * SUMS;
    }
  }

  /** MASE's scale of an aggregate's series at its origin, remembered for the next aggregate of the same series and origin. */
  private final class ScaleMemo {
    private final int[] node = new int[Levels.ALL.size()];
    private final int[] origin = new int[Levels.ALL.size()];
    private final double[] scale = new double[Levels.ALL.size()];

    ScaleMemo() {
      java.util.Arrays.fill(node, -1);
    }

    double of(Agg a) {
      int l = allNodes.get(a.node).levelIndex;
      if (node[l] != a.node || origin[l] != a.origin) {
        node[l] = a.node;
        origin[l] = a.origin;
        scale[l] = scale(a);
      }
      return scale[l];
    }
  }

  private Iterable<Agg> aggregate(List<Point> points) {
    return aggregate(points, Levels.ALL);
  }

  /**
   * The aggregates of {@code levels} only, in the order of their first point (levels interleaved
   * as their first points come). The territory and state sums are made first, each adding its
   * points in their order; every pass over the result then walks the points again, showing each
   * unit's point through one view and each sum at its first point.
   */
  private Iterable<Agg> aggregate(List<Point> points, List<String> levels) {
    Slots<Agg> upper = new Slots<>(points);
    int[] at = levels.stream().mapToInt(Levels.ALL::indexOf).toArray();
    int unitLevel = Levels.ALL.indexOf(Levels.UNIT);
    List<Agg> sums = new ArrayList<>();
    for (Point p : points) {
      for (int l : at) {
        if (l == unitLevel) {
          continue;
        }
        int node = nodeOf[l][p.unit];
        Agg a = upper.get(node, p);
        if (a == null) {
          a = new Agg(node, allNodes.get(node), p.origin, p.h, new double[methods.size()]);
          a.rec = new double[p.rec.length];
          upper.put(node, p, a);
          sums.add(a);
        }
        a.actual += p.actual;
        for (int m = 0; m < p.f.length; m++) {
          a.f[m] += p.f[m];
        }
        a.published += p.published;
        for (int r = 0; r < p.rec.length && r < a.rec.length; r++) {
          a.rec[r] += p.rec[r];
        }
      }
    }
    if (java.util.Arrays.stream(at).noneMatch(l -> l == unitLevel)) {
      return sums; // made in the order of their first points: no second walk over the points
    }
    return () -> new java.util.Iterator<Agg>() {
      private final int pass = ++passes;
      private final Agg unit = new Agg();
      private int i;
      private int j;
      private Agg next;

      @Override
      public boolean hasNext() {
        // found only when asked for, so the unit view is not moved on before its turn is over
        while (next == null && i < points.size()) {
          Point p = points.get(i);
          int l = at[j];
          if (++j == at.length) {
            j = 0;
            i++;
          }
          int node = nodeOf[l][p.unit];
          if (l == unitLevel) {
            next = unit.view(node, allNodes.get(node), p);
          } else {
            Agg a = upper.get(node, p);
            if (a.seen != pass) {
              a.seen = pass;
              next = a;
            }
          }
        }
        return next != null;
      }

      @Override
      public Agg next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        Agg a = next;
        next = null;
        return a;
      }
    };
  }

  /**
   * A value per territory or state node x (origin, horizon), for one list of points: an array
   * indexed by the node's number among the upper nodes and the pair's number among the pairs the
   * points have (a map lookup per point and level was most of the evaluation's time), or a map
   * when that array would have more cells than the points.
   */
  private final class Slots<T> {
    private final int[] pairOf;
    private final int pairs;
    private final Object[] cells;
    private final Map<Long, T> map;

    Slots(List<Point> points) {
      pairOf = new int[panel.months() << 6];
      java.util.Arrays.fill(pairOf, -1);
      int n = 0;
      for (Point p : points) {
        int k = (p.origin << 6) | p.h;
        if (pairOf[k] < 0) {
          pairOf[k] = n++;
        }
      }
      pairs = n;
      boolean dense = (long) upperCount * pairs <= Math.max(points.size(), 1 << 16);
      cells = dense ? new Object[upperCount * pairs] : null;
      map = dense ? null : new HashMap<>();
    }

    @SuppressWarnings("unchecked")
    T get(int node, Point p) {
      return cells != null ? (T) cells[upperOf[node] * pairs + pairOf[(p.origin << 6) | p.h]] : map.get(key(node, p.origin, p.h));
    }

    void put(int node, Point p, T value) {
      if (cells != null) {
        cells[upperOf[node] * pairs + pairOf[(p.origin << 6) | p.h]] = value;
      } else {
        map.put(key(node, p.origin, p.h), value);
      }
    }
  }

  /** Throws unless every point has its own unit x origin x horizon (the unit aggregates are the points). */
  static void requireUnique(List<Point> points) {
    long[] keys = new long[points.size()];
    for (int i = 0; i < keys.length; i++) {
      Point p = points.get(i);
      keys[i] = key(p.unit, p.origin, p.h);
    }
    java.util.Arrays.sort(keys);
    for (int i = 1; i < keys.length; i++) {
      if (keys[i] == keys[i - 1]) {
        throw new IllegalArgumentException("two backtest points have the same unit, origin and horizon");
      }
    }
  }

  /**
   * Chooses on the {@code tuning} origins, reconciles every point, and measures every origin;
   * the intervals' coverage is checked on the held-out origins with quantiles from the tuning
   * origins only; the quantiles returned (for the published forecast) use every origin.
   * {@code guard} = false publishes the model at every level, even where a baseline was better.
   */
  public Result evaluate(List<Point> points, Set<Integer> tuning, boolean guard) {
    return evaluate(points, tuning, guard, false);
  }

  /**
   * As {@link #evaluate(List, Set, boolean)}; {@code heldOutGuard} (with {@code guard}) then
   * checks the tuning choice on the held-out origins: see {@link #heldOutGuard}.
   */
  public Result evaluate(List<Point> points, Set<Integer> tuning, boolean guard, boolean heldOutGuard) {
    for (Point p : points) {
      if (Double.isNaN(p.actual)) {
        throw new IllegalArgumentException("a backtest point has no actual (unit " + p.unit + ", origin " + p.origin + ")");
      }
    }
    requireUnique(points);
    // WAPE per level and method on the tuning origins, before reconciliation (levels are bottom-up
    // sums); the combination is that of the winning candidate, so it is measured once that is known
    Map<String, Map<String, Double>> tuningWape = tuningWape(points, tuning);
    if (tuningWape.isEmpty()) {
      throw new IllegalArgumentException("no backtest point at a tuning origin");
    }
    String model = candidates.isEmpty() ? null : best(tuningWape.get(Levels.UNIT), candidates);
    if (model != null) {
      combine(points, model);
    }
    harmonic(points);
    tuningWape = tuningWape(points, tuning);
    Iterable<Agg> aggs;
    Map<String, String> byLevel = new LinkedHashMap<>();
    for (String level : Levels.ALL) {
      List<String> pool = new ArrayList<>();
      if (model != null) {
        pool.add(model);
        pool.add(COMBINATION);
      }
      pool.addAll(Panel.BASELINES);
      byLevel.put(level, guard || model == null ? best(tuningWape.get(level), pool) : model);
    }
    // every offered reconciliation on every origin. MinT's covariance is always estimated out of
    // sample: at a tuning origin from the residuals of the earlier tuning origins only (a rolling
    // split; the first tuning origin has none and publishes the unit method's forecasts there),
    // at a held-out origin from every tuning origin's. The choice is scored on the tuning origins
    // that have an earlier one, where every reconciliation is out of sample: the lowest mean WAPE
    // over the levels among those no worse than the best baseline there at any level (the
    // guard), else the lowest mean.
    Choice base = new Choice(model, byLevel, tuningWape, TOP_DOWN);
    List<Integer> tuningOrder = new ArrayList<>(new java.util.TreeSet<>(tuning));
    Set<Integer> scored = new java.util.HashSet<>(tuningOrder.subList(Math.min(1, tuningOrder.size()), tuningOrder.size()));
    mintAll = reconciliations.contains(MINT) ? fitMint(instances(points), base, null) : Map.of();
    for (int r = 0; r < reconciliations.size(); r++) {
      if (MINT.equals(reconciliations.get(r))) {
        mintRolling(points, base, tuningOrder);
      } else {
        topDown(points, base);
      }
      for (Point p : points) {
        if (r == 0) {
          p.rec = new double[reconciliations.size()];
        }
        p.rec[r] = p.published;
      }
    }
    String chosen = reconciliations.get(0);
    if (reconciliations.size() > 1) {
      chosen = chooseReconciliation(aggregate(points), scored, tuningWape, guard);
    }
    int at = reconciliations.indexOf(chosen);
    for (Point p : points) {
      p.published = p.rec[at];
    }
    Choice choice = new Choice(model, byLevel, tuningWape, chosen);
    if (guard && harmonic.middleOut() && methods.contains(HARMONIC)) {
      choice = harmonicOverride(points, scored, choice);
    }
    if (guard && heldOutGuard) {
      choice = heldOutGuard(points, tuning, choice);
    }
    aggs = aggregate(points);

    // conformal quantiles of the published forecast's log residuals: from tuning origins (checked
    // on held-out ones) and from every origin (for the published intervals)
    Map<String, Map<Integer, List<Double>>> resTuning = new HashMap<>();
    Map<String, Map<Integer, List<Double>>> resAll = new HashMap<>();
    for (Agg a : aggs) {
      double r = Math.log1p(a.actual) - Math.log1p(a.published);
      resAll.computeIfAbsent(a.level, k -> new TreeMap<>()).computeIfAbsent(a.h, k -> new ArrayList<>()).add(r);
      if (tuning.contains(a.origin)) {
        resTuning.computeIfAbsent(a.level, k -> new TreeMap<>()).computeIfAbsent(a.h, k -> new ArrayList<>()).add(r);
      }
    }
    Map<String, Map<Integer, double[]>> qTuning = quantiles(resTuning);

    // metrics per origin x horizon x level x method (every method, then the published one): one
    // cell each, in the order of their first aggregate (the rows' order), summed in the aggregates' order
    List<String> recRows = reconciliations.size() > 1 ? reconciliations : List.of();
    int total = methods.size() + recRows.size();
    int maxH = 0;
    for (Point p : points) { // the aggregates' horizons are the points'
      maxH = Math.max(maxH, p.h);
    }
    boolean[] isTuning = new boolean[panel.months()];
    tuning.forEach(o -> isTuning[o] = true);
    Cells cells = new Cells(Levels.ALL.size(), total + 1, panel.months(), maxH);
    ScaleMemo scales = new ScaleMemo();
    for (Agg a : aggs) {
      double scale = scales.of(a);
      int level = allNodes.get(a.node).levelIndex;
      boolean held = !isTuning[a.origin];
      double[] q = held ? qTuning.getOrDefault(a.level, Map.of()).get(a.h) : null;
      // every method, each offered reconciliation (when there is a choice), then the published one
      for (int m = 0; m <= total; m++) {
        boolean pub = m == total;
        double f = pub ? a.published : m < methods.size() ? a.f[m] : a.rec[m - methods.size()];
        // abs error, actual, forecast, mape sum, mape n, mase sum, mase n, n, in80, in95
        int c = cells.at(level, m, a.origin, a.h);
        double[] s = cells.sums;
        double e = Math.abs(a.actual - f);
        s[c] += e;
        s[c + 1] += a.actual;
        s[c + 2] += f;
        if (a.actual > 0) {
          s[c + 3] += e / a.actual;
          s[c + 4]++;
        }
        if (!Double.isNaN(scale)) {
          s[c + 5] += e / scale;
          s[c + 6]++;
        }
        s[c + 7]++;
        if (pub && q != null) {
          s[c + 8] += inside(a.actual, f, q[1], q[2]) ? 1 : 0;
          s[c + 9] += inside(a.actual, f, q[0], q[3]) ? 1 : 0;
        }
      }
    }
    List<Metric> metrics = new ArrayList<>();
    for (int i = 0; i < cells.order.size(); i++) {
      int cell = cells.order.get(i);
      int h = cell % (maxH + 1);
      int origin = cell / (maxH + 1) % panel.months();
      int m = cell / (maxH + 1) / panel.months() % (total + 1);
      String levelName = Levels.ALL.get(cell / (maxH + 1) / panel.months() / (total + 1));
      String method = m == total ? PUBLISHED : m < methods.size() ? methods.get(m) : recRows.get(m - methods.size());
      double[] s = java.util.Arrays.copyOfRange(cells.sums, cell * Cells.SUMS, cell * Cells.SUMS + Cells.SUMS);
      boolean held = !isTuning[origin];
      boolean cov = held && PUBLISHED.equals(method) && qTuning.getOrDefault(levelName, Map.of()).get(h) != null;
      metrics.add(new Metric(panel.month(origin), h, levelName, method, held ? HELD_OUT : TUNING,
          s[1] > 0 ? s[0] / s[1] : null, s[4] > 0 ? s[3] / s[4] : null, s[6] > 0 ? s[5] / s[6] : null,
          s[1] > 0 ? (s[2] - s[1]) / s[1] : null, s[0], s[1], s[2], (long) s[7], cov ? s[8] / s[7] : null,
          cov ? s[9] / s[7] : null));
    }
    return new Result(choice, metrics, quantiles(resAll));
  }

  /**
   * Middle-out from the top, decided on the {@code scored} tuning origins (those the reconciliation
   * was chosen on): where {@link #HARMONIC}, the state series' own seasonal regression, has a
   * lower WAPE than the reconciled forecast at the state, the state publishes it, and its total is
   * split over the territories and units by the reconciled values' shares; then the same test at
   * territory level (the harmonic's territory values are its state total split by the
   * territories' last 12 months). Units never take it: their shares stay the reconciliation's
   * (on the demo MinT's, whose units beat the harmonic's 12-month shares). A level is only
   * replaced below a replaced one, so the levels stay coherent. Under MinT the published
   * reconciliation becomes {@link #MINT_SHARES}. Sets every point's {@code published}.
   */
  private Choice harmonicOverride(List<Point> points, Set<Integer> scored, Choice choice) {
    int hm = methods.indexOf(HARMONIC);
    boolean underMint = MINT.equals(choice.reconciliation());
    if (underMint) {
      points.forEach(p -> p.mint = p.published);
    }
    Map<String, String> byLevel = new LinkedHashMap<>(choice.byLevel());
    Map<String, String> replaced = new LinkedHashMap<>();
    for (String level : List.of(Levels.STATE, Levels.TERRITORY)) {
      Map<String, double[]> sums = new LinkedHashMap<>();
      for (Agg a : aggregate(points, List.of(level))) {
        if (scored.contains(a.origin)) {
          add(sums, PUBLISHED, a.actual, a.published);
          add(sums, HARMONIC, a.actual, a.f[hm]);
        }
      }
      double h = wape(sums.get(HARMONIC));
      double r = wape(sums.get(PUBLISHED));
      if (Double.isNaN(h) || Double.isNaN(r) || !(h < r - 1e-12)) {
        break;
      }
      replaced.put(level, byLevel.get(level));
      byLevel.put(level, HARMONIC);
      fallbackTopDown(points, byLevel, replaced.keySet(), underMint);
    }
    if (replaced.isEmpty()) {
      return choice;
    }
    return new Choice(choice.model(), java.util.Collections.unmodifiableMap(byLevel), choice.tuningWape(),
        underMint ? MINT_SHARES : choice.reconciliation(), Map.of(), choice.reconciliation(),
        java.util.Collections.unmodifiableMap(replaced));
  }

  /**
   * The held-out guard, a veto after the choice: nothing is chosen on the held-out origins, but
   * a level whose published forecast has a higher held-out WAPE than the best baseline of that
   * level there publishes that baseline. The levels are checked from the state down, and each
   * fallback is reconciled top-down ({@link #fallbackTopDown}): the state total is its method's
   * total exactly, and a territory's value is the state total split by its source's shares, so
   * a fallback never changes a level above it. Below a fallback the split keeps the tuning
   * choice: MinT's reconciled values when MinT was chosen (published as {@link #MINT_SHARES}),
   * else the level's method (top-down). A territory fallback whose baseline differs from the
   * state's can still lose (the split is the baseline's, the total the state's); that is
   * measured and printed, not hidden. Sets every point's {@code published}; returns the choice
   * with the levels replaced ({@code fallback}).
   */
  private Choice heldOutGuard(List<Point> points, Set<Integer> tuning, Choice choice) {
    Set<Integer> held = new java.util.HashSet<>();
    List<Point> heldPoints = new ArrayList<>();
    points.forEach(p -> {
      if (!tuning.contains(p.origin)) {
        held.add(p.origin);
        heldPoints.add(p);
      }
    });
    if (held.isEmpty() || Levels.ALL.stream().allMatch(l -> heldOutLoser(heldPoints, held, l) == null)) {
      return choice;
    }
    boolean mintShares = MINT.equals(choice.reconciliation()) || MINT_SHARES.equals(choice.reconciliation());
    if (MINT.equals(choice.reconciliation())) {
      int r = reconciliations.indexOf(MINT);
      points.forEach(p -> p.mint = p.rec[r]);
    }
    Map<String, String> byLevel = new LinkedHashMap<>(choice.byLevel());
    Map<String, String> fallback = new LinkedHashMap<>();
    for (String level : List.of(Levels.STATE, Levels.TERRITORY, Levels.UNIT)) {
      String baseline = heldOutLoser(heldPoints, held, level);
      if (baseline != null) {
        fallback.put(level, byLevel.get(level));
        byLevel.put(level, baseline);
        java.util.Set<String> own = new java.util.HashSet<>(fallback.keySet());
        own.addAll(choice.harmonic().keySet());
        fallbackTopDown(points, byLevel, own, mintShares);
      }
    }
    // not empty: the first losing level from the top is unchanged until the loop reaches it
    return new Choice(choice.model(), java.util.Collections.unmodifiableMap(byLevel), choice.tuningWape(),
        mintShares ? MINT_SHARES : TOP_DOWN, java.util.Collections.unmodifiableMap(fallback), choice.tuningReconciliation(),
        choice.harmonic());
  }

  /**
   * Top-down after the held-out guard: a level in {@code fellBack} takes its (baseline) method's
   * forecasts; any other level its tuning choice's, which is MinT's reconciled value
   * ({@link Point#mint}) when {@code mintShares}, else its method's forecast. With no level
   * falling back under MinT this returns MinT's values unchanged (their own shares).
   */
  private void fallbackTopDown(List<Point> points, Map<String, String> byLevel, Set<String> fellBack, boolean mintShares) {
    topDown(points, source(Levels.STATE, byLevel, fellBack, mintShares), source(Levels.TERRITORY, byLevel, fellBack, mintShares),
        source(Levels.UNIT, byLevel, fellBack, mintShares));
  }

  /** What {@code level} is split by (or totals, for the state): see {@link #fallbackTopDown}. */
  private java.util.function.ToDoubleFunction<Point> source(String level, Map<String, String> byLevel, Set<String> fellBack,
      boolean mintShares) {
    int m = methods.indexOf(byLevel.get(level));
    return mintShares && !fellBack.contains(level) ? p -> p.mint : p -> p.f[m];
  }

  /** The best baseline at {@code level} on the {@code held} origins when the published forecast's WAPE there is higher, else null. */
  private String heldOutLoser(List<Point> points, Set<Integer> held, String level) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    for (Agg a : aggregate(points, List.of(level))) {
      if (held.contains(a.origin)) {
        add(sums, PUBLISHED, a.actual, a.published);
        for (String b : Panel.BASELINES) {
          add(sums, b, a.actual, a.f[methods.indexOf(b)]);
        }
      }
    }
    String best = null;
    for (String b : Panel.BASELINES) {
      double w = wape(sums.get(b));
      if (!Double.isNaN(w) && (best == null || w < wape(sums.get(best)))) {
        best = b;
      }
    }
    double pub = wape(sums.get(PUBLISHED));
    return best != null && !Double.isNaN(pub) && pub > wape(sums.get(best)) + 1e-12 ? best : null;
  }

  /**
   * MinT at every origin with a covariance from earlier origins only: a tuning origin's from the
   * residuals of the tuning origins before it (none for the first: the unit method's forecasts,
   * as for a group without residuals), a held-out origin's from every tuning origin's.
   */
  private void mintRolling(List<Point> points, Choice choice, List<Integer> tuningOrder) {
    java.util.Collection<List<Point>> all = instances(points);
    Map<Integer, List<List<Point>>> byOrigin = new TreeMap<>();
    for (List<Point> inst : all) {
      byOrigin.computeIfAbsent(inst.get(0).origin, k -> new ArrayList<>()).add(inst);
    }
    Map<String, MinT> heldOut = fitMint(all, choice, new java.util.HashSet<>(tuningOrder));
    byOrigin.forEach((origin, at) -> {
      int k = tuningOrder.indexOf(origin);
      Map<String, MinT> fits = k < 0 ? heldOut : fitMint(all, choice, new java.util.HashSet<>(tuningOrder.subList(0, k)));
      mint(at, choice, fits);
    });
  }

  /**
   * The reconciliation to publish, scored on the aggregates at {@code scored} origins (the tuning
   * origins where every reconciliation was out of sample): the lowest mean WAPE over the levels
   * among those no worse than the best baseline there at any level ({@code guard}), else the
   * lowest mean. Records each reconciliation's WAPE there in {@code tuningWape}. Without a scored
   * origin (a single tuning origin) MinT cannot be scored out of sample: the first other offered
   * reconciliation is kept.
   */
  private String chooseReconciliation(Iterable<Agg> aggs, Set<Integer> scored, Map<String, Map<String, Double>> tuningWape,
      boolean guard) {
    if (scored.isEmpty()) {
      return reconciliations.stream().filter(r -> !MINT.equals(r)).findFirst().orElse(MINT);
    }
    // per level: each reconciliation's, then each baseline's abs error and actual sums
    int nb = Panel.BASELINES.size();
    int nr = reconciliations.size();
    int[] baseline = Panel.BASELINES.stream().mapToInt(methods::indexOf).toArray();
    double[][][] sums = new double[Levels.ALL.size()][nr + nb][2];
    boolean[] isScored = new boolean[panel.months()];
    scored.forEach(o -> isScored[o] = true);
    for (Agg a : aggs) {
      if (isScored[a.origin]) {
        double[][] at = sums[allNodes.get(a.node).levelIndex];
        for (int r = 0; r < nr; r++) {
          at[r][0] += Math.abs(a.actual - a.rec[r]);
          at[r][1] += a.actual;
        }
        for (int b = 0; b < nb; b++) {
          at[nr + b][0] += Math.abs(a.actual - a.f[baseline[b]]);
          at[nr + b][1] += a.actual;
        }
      }
    }
    String chosen = reconciliations.get(0);
    double bestScore = Double.POSITIVE_INFINITY;
    boolean bestEligible = false;
    for (String rec : reconciliations) {
      double score = 0;
      boolean eligible = true;
      for (int l = 0; l < Levels.ALL.size(); l++) {
        String level = Levels.ALL.get(l);
        double[][] at = sums[l];
        double w = wape(at[reconciliations.indexOf(rec)]);
        tuningWape.get(level).put(rec, w);
        score += w / Levels.ALL.size();
        double bestBaseline = java.util.stream.IntStream.range(0, nb).mapToDouble(b -> wape(at[nr + b]))
            .filter(x -> !Double.isNaN(x)).min().orElse(Double.NaN);
        eligible &= !guard || Double.isNaN(bestBaseline) || !(w > bestBaseline + 1e-12);
      }
      if ((eligible && !bestEligible) || (eligible == bestEligible && score < bestScore)) {
        chosen = rec;
        bestScore = score;
        bestEligible = eligible;
      }
    }
    return chosen;
  }

  private static void add(Map<String, double[]> sums, String key, double actual, double forecast) {
    double[] s = sums.computeIfAbsent(key, k -> new double[2]);
    s[0] += Math.abs(actual - forecast);
    s[1] += actual;
  }

  private static double wape(double[] s) {
    return s == null || s[1] == 0 ? Double.NaN : s[0] / s[1];
  }

  /** WAPE per level and method (every method but the reconciliations) on the tuning origins. */
  private Map<String, Map<String, Double>> tuningWape(List<Point> points, Set<Integer> tuning) {
    // per level index: each method's abs error and actual sums; the levels in the order first seen
    double[][][] sums = new double[Levels.ALL.size()][][];
    List<Integer> seen = new ArrayList<>();
    boolean[] isTuning = new boolean[panel.months()];
    tuning.forEach(o -> isTuning[o] = true);
    for (Agg a : aggregate(points)) {
      if (isTuning[a.origin]) {
        int l = allNodes.get(a.node).levelIndex;
        if (sums[l] == null) {
          sums[l] = new double[methods.size()][2];
          seen.add(l);
        }
        double[][] at = sums[l];
        for (int m = 0; m < methods.size(); m++) {
          at[m][0] += Math.abs(a.actual - a.f[m]);
          at[m][1] += a.actual;
        }
      }
    }
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    for (int l : seen) {
      Map<String, Double> byMethod = new LinkedHashMap<>();
      for (int m = 0; m < methods.size(); m++) {
        byMethod.put(methods.get(m), sums[l][m][1] == 0 ? Double.NaN : sums[l][m][0] / sums[l][m][1]);
      }
      out.put(Levels.ALL.get(l), byMethod);
    }
    return out;
  }

  /** Sets each point's {@link #COMBINATION}: the mean of {@code model}'s and seasonal naive with drift's forecasts. */
  private void combine(List<Point> points, String model) {
    int c = methods.indexOf(COMBINATION);
    int m = methods.indexOf(model);
    int d = methods.indexOf("seasonal_naive_drift");
    if (c < 0 || m < 0 || d < 0) {
      return;
    }
    for (Point p : points) {
      p.f[c] = 0.5 * (p.f[m] + p.f[d]);
    }
  }

  /**
   * Sets each point's {@link #HARMONIC}: the state series' {@link HarmonicTrend} forecast at the
   * point's origin and horizon (the state, not the unit, is fitted: a sum of hundreds of units
   * has the smooth trend and season a unit series lacks), split over the instance's units in
   * proportion to their last 12 months up to the origin (equal shares when those are all 0).
   * Where the state series has too few months to fit, the unit's seasonal naive.
   */
  private void harmonic(List<Point> points) {
    int c = methods.indexOf(HARMONIC);
    int sn = methods.indexOf("seasonal_naive");
    if (c < 0 || sn < 0 || points.isEmpty()) {
      return;
    }
    int state = Levels.ALL.indexOf(Levels.STATE);
    int firstMonthOfYear = panel.month(0).getMonthValue();
    int maxH = points.stream().mapToInt(p -> p.h).max().orElse(1);
    Map<Long, double[]> fits = new HashMap<>();
    // each unit's sum of its last 12 months up to the origin it was last computed for
    double[] lastYear = new double[panel.series().size()];
    int[] lastYearOrigin = new int[panel.series().size()];
    java.util.Arrays.fill(lastYearOrigin, -1);
    for (List<Point> inst : instances(points)) {
      Point first = inst.get(0);
      int nodeIndex = nodeOf[state][first.unit];
      Node node = allNodes.get(nodeIndex);
      double[] fc = fits.computeIfAbsent(key(nodeIndex, first.origin, 0), k -> {
        HarmonicTrend.Fit fit = HarmonicTrend.fit(node.y, node.start, first.origin, harmonic.windowMonths(), harmonic.harmonics(),
            firstMonthOfYear);
        if (fit == null) {
          return new double[0];
        }
        harmonicFits.put(node.id + " " + node.segment, fit); // the newest origin's stays (points are in origin order per node)
        double[] r = new double[maxH];
        for (int h = 1; h <= maxH; h++) {
          r[h - 1] = fit.at(h);
        }
        return r;
      });
      if (fc.length == 0) {
        for (Point p : inst) {
          p.f[c] = p.f[sn];
        }
        continue;
      }
      double[] w = new double[inst.size()];
      double total = 0;
      for (int i = 0; i < w.length; i++) {
        int u = inst.get(i).unit;
        if (lastYearOrigin[u] != first.origin) { // once per unit and origin, not per horizon
          Panel.Series s = panel.series().get(u);
          double sum = 0;
          for (int t = Math.max(s.start(), first.origin - 11); t <= first.origin; t++) {
            sum += s.y()[t];
          }
          lastYear[u] = sum;
          lastYearOrigin[u] = first.origin;
        }
        w[i] = lastYear[u];
        total += w[i];
      }
      double value = fc[first.h - 1];
      for (int i = 0; i < w.length; i++) {
        inst.get(i).f[c] = value * (total > 0 ? w[i] / total : 1.0 / w.length);
      }
    }
  }

  private static boolean inside(double actual, double f, double qLo, double qHi) {
    return bound(f, Math.min(qLo, 0)) <= actual && actual <= bound(f, Math.max(qHi, 0));
  }

  /** {@code max(0, expm1(log1p(f) + q))}. */
  static double bound(double f, double q) {
    return Math.max(0, Math.expm1(Math.log1p(f) + q));
  }

  private double scale(Agg a) {
    Node n = allNodes.get(a.node);
    return Panel.maseScale(n.y, n.start, a.origin);
  }

  private static String best(Map<String, Double> wape, List<String> pool) {
    String best = null;
    for (String m : pool) {
      Double w = wape.get(m);
      if (w != null && !w.isNaN() && (best == null || w < wape.get(best))) {
        best = m;
      }
    }
    return best == null ? pool.get(0) : best;
  }

  /**
   * The fewest residuals whose conformal order statistics all fall inside the sample for every
   * quantile of {@link #QS}: {@code floor((n + 1) q) >= 1} for a lower one and
   * {@code ceil((n + 1) q) <= n} for an upper one, i.e. n >= q / (1 - q) and n >= 1 / q - 1 (39 for
   * 2.5% and 97.5%). With fewer, the rank is clamped to the sample's extreme and the interval
   * covers only about (n - 1) / (n + 1) of new values.
   */
  static final int MIN_RESIDUALS = minResiduals(QS);

  static int minResiduals(double[] qs) {
    int n = 1;
    for (double q : qs) {
      double tail = Math.min(q, 1 - q);
      n = Math.max(n, (int) Math.ceil((1 - tail) / tail - 1e-9));
    }
    return n;
  }

  /**
   * Conformal quantiles per level and horizon: the {@code ceil((n + 1) q)}-th smallest residual
   * for an upper quantile and the {@code floor((n + 1) q)}-th for a lower one (clamped to the
   * sample), so with n exchangeable residuals an interval covers at least its nominal share.
   *
   * <p>A level x horizon with fewer than {@link #MIN_RESIDUALS} residuals (the state, or any level
   * with few origins) borrows those of the nearest horizons of its level, h - 1 before h + 1, then
   * h - 2, h + 2 ..., whole horizons at a time, until it has enough or has them all. Neighbouring
   * horizons' errors are of similar size; without it the 95% interval of 18 residuals is their
   * range, which covers about 90% (1 Dec: WA state held out 87.5% at both 80% and 95%).
   */
  static Map<String, Map<Integer, double[]>> quantiles(Map<String, Map<Integer, List<Double>>> residuals) {
    Map<String, Map<Integer, double[]>> out = new LinkedHashMap<>();
    residuals.forEach((level, byH) -> byH.forEach((h, list) -> {
      double[] r = pooled(byH, h).stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double[] q = new double[QS.length];
      for (int i = 0; i < QS.length; i++) {
        int n = r.length;
        int rank = QS[i] < 0.5 ? (int) Math.floor((n + 1) * QS[i]) : (int) Math.ceil((n + 1) * QS[i]);
        q[i] = r[Math.min(n - 1, Math.max(0, rank - 1))];
      }
      out.computeIfAbsent(level, k -> new TreeMap<>()).put(h, q);
    }));
    return out;
  }

  /** Horizon h's residuals, with those of the nearest horizons added while fewer than {@link #MIN_RESIDUALS}. */
  static List<Double> pooled(Map<Integer, List<Double>> byH, int h) {
    List<Double> r = new ArrayList<>(byH.get(h));
    int lo = byH.keySet().stream().mapToInt(Integer::intValue).min().orElse(h);
    int hi = byH.keySet().stream().mapToInt(Integer::intValue).max().orElse(h);
    for (int d = 1; r.size() < MIN_RESIDUALS && (h - d >= lo || h + d <= hi); d++) {
      r.addAll(byH.getOrDefault(h - d, List.of()));
      if (r.size() < MIN_RESIDUALS) {
        r.addAll(byH.getOrDefault(h + d, List.of()));
      }
    }
    return r;
  }

  /**
   * Sets every point's {@code published} value with the choice's reconciliation (MinT with the
   * covariance of every backtest origin's residuals, as fitted by the last {@link #evaluate}).
   */
  void reconcile(List<Point> points, Choice choice) {
    if (MINT.equals(choice.reconciliation())) {
      mint(instances(points), choice, mintAll);
    } else if (MINT_SHARES.equals(choice.reconciliation())) {
      // MinT on the tuning choice's methods (what it was fitted on), then the fallbacks' and the
      // overrides' totals split by its values
      mint(instances(points), new Choice(choice.model(), choice.baseByLevel(), choice.tuningWape(), MINT), mintAll);
      points.forEach(p -> p.mint = p.published);
      fallbackTopDown(points, choice.byLevel(), choice.ownLevels(), true);
    } else {
      topDown(points, choice);
    }
  }

  /**
   * The points of each instance of MinT and top-down (a segment in a state x origin x horizon),
   * in the order of their first point.
   */
  private java.util.Collection<List<Point>> instances(List<Point> points) {
    List<List<Point>> out = new ArrayList<>();
    Slots<List<Point>> byState = new Slots<>(points);
    int state = Levels.ALL.indexOf(Levels.STATE);
    for (Point p : points) {
      int node = nodeOf[state][p.unit];
      List<Point> inst = byState.get(node, p);
      if (inst == null) {
        inst = new ArrayList<>();
        byState.put(node, p, inst);
        out.add(inst);
      }
      inst.add(p);
    }
    return out;
  }

  /**
   * The node vector of one instance (state, territories 1..t, units): the actuals, or the base
   * forecasts of each level's chosen method (a territory's and the state's are that method's
   * sums over their units). A unit without a point there counts 0.
   */
  private double[] nodes(Group g, List<Point> inst, Choice choice, boolean actual) {
    int a = 1 + g.territories.size();
    double[] v = new double[a + g.units.size()];
    int mu = methods.indexOf(choice.byLevel().get(Levels.UNIT));
    int mt = methods.indexOf(choice.byLevel().get(Levels.TERRITORY));
    int ms = methods.indexOf(choice.byLevel().get(Levels.STATE));
    for (Point p : inst) {
      int pos = posOf[p.unit];
      v[a + pos] = actual ? p.actual : p.f[mu];
      v[g.unitTerritory.get(pos)] += actual ? p.actual : p.f[mt];
      v[0] += actual ? p.actual : p.f[ms];
    }
    return v;
  }

  /** MinT per group from the base forecasts' residuals at {@code origins} (null = every origin). */
  private Map<String, MinT> fitMint(java.util.Collection<List<Point>> instances, Choice choice, Set<Integer> origins) {
    Map<String, List<double[]>> residuals = new LinkedHashMap<>();
    for (List<Point> inst : instances) {
      Point first = inst.get(0);
      if (origins != null && !origins.contains(first.origin)) {
        continue;
      }
      Group g = groupOf[first.unit];
      double[] r = nodes(g, inst, choice, true);
      double[] f = nodes(g, inst, choice, false);
      for (int i = 0; i < r.length; i++) {
        r[i] -= f[i];
      }
      Panel.Series s = panel.series().get(first.unit);
      residuals.computeIfAbsent(s.segment() + "|" + s.state(), k -> new ArrayList<>()).add(r);
    }
    Map<String, MinT> out = new LinkedHashMap<>();
    residuals.forEach((k, list) -> {
      Group g = groups.get(k);
      out.put(k, new MinT(list.toArray(new double[0][]), g.territories.size(),
          g.unitTerritory.stream().mapToInt(Integer::intValue).toArray(), mintMaxAggregates));
    });
    return out;
  }

  /**
   * MinT: each instance's base forecasts (the chosen method of each level) projected onto the
   * coherent ones; negative units are clipped at 0 (the upper levels are always the sums of the
   * published units, so they stay coherent). A group without residuals publishes the unit
   * method's forecasts (bottom-up).
   */
  private void mint(java.util.Collection<List<Point>> instances, Choice choice, Map<String, MinT> fits) {
    int mu = methods.indexOf(choice.byLevel().get(Levels.UNIT));
    for (List<Point> inst : instances) {
      Panel.Series s = panel.series().get(inst.get(0).unit);
      MinT m = fits.get(s.segment() + "|" + s.state());
      if (m == null) {
        inst.forEach(p -> p.published = p.f[mu]);
        continue;
      }
      Group g = groupOf[inst.get(0).unit];
      int a = 1 + g.territories.size();
      double[] base = nodes(g, inst, choice, false);
      double[] units = m.reconcile(base[0], base, java.util.Arrays.copyOfRange(base, a, base.length));
      for (Point p : inst) {
        p.published = Math.max(0, units[posOf[p.unit]]);
      }
    }
  }

  /** Top-down through the chosen methods (see the class comment). */
  private void topDown(List<Point> points, Choice choice) {
    int mu = methods.indexOf(choice.byLevel().get(Levels.UNIT));
    int mt = methods.indexOf(choice.byLevel().get(Levels.TERRITORY));
    int ms = methods.indexOf(choice.byLevel().get(Levels.STATE));
    topDown(points, p -> p.f[ms], p -> p.f[mt], p -> p.f[mu]);
  }

  /**
   * Top-down: at each instance the state total is the sum of {@code state} over its units, split
   * over the territories in proportion to their sums of {@code territory}, and each territory's
   * share over its units in proportion to {@code unit} (an all-zero split falls back to equal shares).
   */
  private void topDown(List<Point> points, java.util.function.ToDoubleFunction<Point> stateOf,
      java.util.function.ToDoubleFunction<Point> territoryOf, java.util.function.ToDoubleFunction<Point> unitOf) {
    // an instance's territories in the order of their first point: each territory node's slot,
    // valid while its stamp is the instance's number
    int tl = Levels.ALL.indexOf(Levels.TERRITORY);
    int[] slotOf = new int[upperCount];
    int[] stamp = new int[upperCount];
    java.util.Arrays.fill(stamp, -1);
    int instance = 0;
    for (List<Point> g : instances(points)) {
      List<List<Point>> byTerritory = new ArrayList<>();
      double state = 0;
      for (Point p : g) {
        int t = upperOf[nodeOf[tl][p.unit]];
        if (stamp[t] != instance) {
          stamp[t] = instance;
          slotOf[t] = byTerritory.size();
          byTerritory.add(new ArrayList<>());
        }
        byTerritory.get(slotOf[t]).add(p);
        state += stateOf.applyAsDouble(p);
      }
      instance++;
      double[] tSums = new double[byTerritory.size()];
      double tTotal = 0;
      int i = 0;
      for (List<Point> t : byTerritory) {
        for (Point p : t) {
          tSums[i] += territoryOf.applyAsDouble(p);
        }
        tTotal += tSums[i++];
      }
      i = 0;
      for (List<Point> t : byTerritory) {
        double share = tTotal > 0 ? tSums[i] / tTotal : 1.0 / tSums.length;
        double territory = state * share;
        double uTotal = 0;
        for (Point p : t) {
          uTotal += unitOf.applyAsDouble(p);
        }
        for (Point p : t) {
          p.published = territory * (uTotal > 0 ? unitOf.applyAsDouble(p) / uTotal : 1.0 / t.size());
        }
        i++;
      }
    }
  }

  /**
   * The published forecast from the last month: the points (no actuals) reconciled with the
   * backtest's choice, rolled up to territory and state, with the intervals of each level and
   * horizon (null bounds when the backtest had no residual there).
   */
  public List<Forecast> publish(List<Point> points, Choice choice, Map<String, Map<Integer, double[]>> quantiles) {
    if (choice.model() != null) {
      combine(points, choice.model());
    }
    harmonicFits.clear();
    harmonic(points);
    reconcile(points, choice);
    Map<String, Object[]> rows = new LinkedHashMap<>();
    for (Point p : points) {
      Panel.Series s = panel.series().get(p.unit);
      for (String level : Levels.ALL) {
        String id = idAt(level, s);
        Object[] r = rows.computeIfAbsent(level + "|" + id + "|" + s.segment() + "|" + p.origin + "|" + p.h,
            k -> new Object[] {id, level, s.segment(), p.origin + p.h, p.h, 0.0});
        r[5] = (double) r[5] + p.published;
      }
    }
    List<Forecast> out = new ArrayList<>();
    for (Object[] r : rows.values()) {
      String level = (String) r[1];
      int h = (int) r[4];
      double f = (double) r[5];
      double[] q = quantiles.getOrDefault(level, Map.of()).get(h);
      out.add(new Forecast((String) r[0], level, (String) r[2], panel.month((int) r[3]), h, f,
          q == null ? null : Math.min(f, bound(f, Math.min(q[1], 0))), q == null ? null : Math.max(f, bound(f, Math.max(q[2], 0))),
          q == null ? null : Math.min(f, bound(f, Math.min(q[0], 0))), q == null ? null : Math.max(f, bound(f, Math.max(q[3], 0))),
          choice.byLevel().get(level)));
    }
    return out;
  }

  /** The state regression's terms per "state segment" for the forecast last published (empty before {@link #publish}). */
  public Map<String, HarmonicTrend.Fit> harmonicFits() {
    return java.util.Collections.unmodifiableMap(harmonicFits);
  }

  /** WAPE per horizon and method of one level and split (null split = every origin), from metrics. */
  public static Map<Integer, Map<String, Double>> wapeByHorizon(List<Metric> metrics, String level, String split) {
    Map<Integer, Map<String, double[]>> sums = new TreeMap<>();
    for (Metric m : metrics) {
      if (m.level().equals(level) && (split == null || split.equals(m.split()))) {
        double[] s = sums.computeIfAbsent(m.horizon(), k -> new LinkedHashMap<>()).computeIfAbsent(m.method(), k -> new double[2]);
        s[0] += m.absErrorSum();
        s[1] += m.actualSum();
      }
    }
    Map<Integer, Map<String, Double>> out = new TreeMap<>();
    sums.forEach((h, byM) -> byM.forEach((m, s) -> out.computeIfAbsent(h, k -> new LinkedHashMap<>())
        .put(m, s[1] == 0 ? Double.NaN : s[0] / s[1])));
    return out;
  }

  /** WAPE per method over every horizon of one level and split (null = every origin). */
  public static Map<String, Double> overallWape(List<Metric> metrics, String level, String split) {
    return overallWape(metrics, level, split, null);
  }

  /** As above, over the {@code origins} only (null = every origin of the split). */
  public static Map<String, Double> overallWape(List<Metric> metrics, String level, String split, Set<LocalDate> origins) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    for (Metric m : metrics) {
      if (m.level().equals(level) && (split == null || split.equals(m.split())) && (origins == null || origins.contains(m.origin()))) {
        double[] s = sums.computeIfAbsent(m.method(), k -> new double[2]);
        s[0] += m.absErrorSum();
        s[1] += m.actualSum();
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    sums.forEach((m, s) -> out.put(m, s[1] == 0 ? Double.NaN : s[0] / s[1]));
    return out;
  }

  /** The held-out coverage of the published 80% and 95% intervals at one level (NaN when unchecked). */
  public static double[] coverage(List<Metric> metrics, String level) {
    double n = 0;
    double c80 = 0;
    double c95 = 0;
    for (Metric m : metrics) {
      if (m.level().equals(level) && m.coverage80() != null) {
        n += m.nSeries();
        c80 += m.coverage80() * m.nSeries();
        c95 += m.coverage95() * m.nSeries();
      }
    }
    return n == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {c80 / n, c95 / n};
  }

  /** Methods as listed: candidates, baselines, the combination. */
  public static List<String> methods(List<String> candidates) {
    List<String> m = new ArrayList<>(candidates);
    m.addAll(Panel.BASELINES);
    m.add(COMBINATION);
    m.add(HARMONIC);
    return m;
  }

  /** The state's seasonal regression ({@link HarmonicTrend}) split over its units, a method of every level. */
  public static final String HARMONIC = "harmonic_trend";

  /** The mean of the winning model's and seasonal naive with drift's forecasts, a method of every level. */
  public static final String COMBINATION = "model_drift_mean";
}
