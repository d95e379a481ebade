package org.territorypotential.design;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The adjacency graph of geo units in compressed sparse rows: unit i's neighbours are
 * {@code nbr[off[i] .. off[i+1])}, each edge weighted by the length (km) of the shared boundary.
 * Primitive arrays, no boxing: 10^5 units and their ~6 edges each are a few megabytes.
 */
public final class UnitGraph {
  final int n;
  final int[] off;
  final int[] nbr;
  final double[] len;

  /** An undirected edge between units a and b with the shared boundary's length (km). */
  public record Edge(int a, int b, double length) {}

  /** An island bridged to the nearest unit of another component (by centroid distance). */
  public record Bridge(int from, int to, double distanceKm) {}

  private UnitGraph(int n, int[] off, int[] nbr, double[] len) {
    this.n = n;
    this.off = off;
    this.nbr = nbr;
    this.len = len;
  }

  /** Builds the graph from undirected edges; duplicates (a,b)/(b,a) keep the longest length, self-loops are dropped. */
  public static UnitGraph of(int n, List<Edge> edges) {
    long[] keys = new long[edges.size() * 2];
    double[] lens = new double[edges.size() * 2];
    int m = 0;
    for (Edge e : edges) {
      if (e.a() == e.b()) {
        continue;
      }
      keys[m] = ((long) e.a() << 32) | e.b();
      lens[m++] = e.length();
      keys[m] = ((long) e.b() << 32) | e.a();
      lens[m++] = e.length();
    }
    Integer[] idx = new Integer[m];
    for (int i = 0; i < m; i++) {
      idx[i] = i;
    }
    final long[] k = keys;
    Arrays.sort(idx, (x, y) -> Long.compare(k[x], k[y]));
    int[] off = new int[n + 1];
    int[] nbr = new int[m];
    double[] len = new double[m];
    int c = 0;
    long prev = -1;
    for (int t = 0; t < m; t++) {
      int i = idx[t];
      if (keys[i] == prev) {
        len[c - 1] = Math.max(len[c - 1], lens[i]);
        continue;
      }
      prev = keys[i];
      int a = (int) (keys[i] >>> 32);
      nbr[c] = (int) (keys[i] & 0xffffffffL);
      len[c] = lens[i];
      off[a + 1]++;
      c++;
    }
    for (int i = 0; i < n; i++) {
      off[i + 1] += off[i];
    }
    return new UnitGraph(n, off, Arrays.copyOf(nbr, c), Arrays.copyOf(len, c));
  }

  public int size() {
    return n;
  }

  public int edgeCount() {
    return nbr.length / 2;
  }

  public int degree(int i) {
    return off[i + 1] - off[i];
  }

  /** Component label of every unit (labels 0.. in order of the smallest unit of each component). */
  public int[] components() {
    return pieceLabels(new int[n]);
  }

  /**
   * Label of the connected piece of its group every unit is in: the components of the graph keeping
   * only edges inside a group (a territory). Labels 0.. in order of each piece's smallest unit.
   */
  public int[] pieceLabels(int[] group) {
    int[] comp = new int[n];
    Arrays.fill(comp, -1);
    int c = 0;
    int[] q = new int[n];
    for (int s = 0; s < n; s++) {
      if (comp[s] >= 0) {
        continue;
      }
      int h = 0;
      int tl = 0;
      q[tl++] = s;
      comp[s] = c;
      while (h < tl) {
        int u = q[h++];
        for (int e = off[u]; e < off[u + 1]; e++) {
          int v = nbr[e];
          if (comp[v] < 0 && group[v] == group[u]) {
            comp[v] = c;
            q[tl++] = v;
          }
        }
      }
      c++;
    }
    return comp;
  }

  /**
   * Connects every component but the largest to the nearest unit outside it (centroid distance,
   * x/y in km), repeatedly, until the graph is connected; bridges get length 0, so they count for
   * contiguity but not for perimeter. Returns the new graph and the bridges made, in order.
   */
  public Bridged bridgeIslands(double[] x, double[] y) {
    UnitGraph g = this;
    List<Bridge> bridges = new ArrayList<>();
    while (true) {
      int[] comp = g.components();
      int nc = Arrays.stream(comp).max().orElse(-1) + 1;
      if (nc <= 1) {
        return new Bridged(g, bridges);
      }
      int[] sizes = new int[nc];
      for (int c : comp) {
        sizes[c]++;
      }
      int largest = 0;
      for (int c = 1; c < nc; c++) {
        if (sizes[c] > sizes[largest]) {
          largest = c;
        }
      }
      // each small component: its closest pair to any unit outside it (O(size x n), islands are few and small)
      List<Edge> add = new ArrayList<>();
      boolean[] done = new boolean[nc];
      done[largest] = true;
      for (int s = 0; s < n; s++) {
        int c = comp[s];
        if (done[c]) {
          continue;
        }
        done[c] = true;
        int bi = -1;
        int bj = -1;
        double best = Double.POSITIVE_INFINITY;
        for (int i = s; i < n; i++) {
          if (comp[i] != c) {
            continue;
          }
          for (int j = 0; j < n; j++) {
            if (comp[j] == c) {
              continue;
            }
            double d = Math.hypot(x[i] - x[j], y[i] - y[j]);
            if (d < best) {
              best = d;
              bi = i;
              bj = j;
            }
          }
        }
        bridges.add(new Bridge(bi, bj, best));
        add.add(new Edge(bi, bj, 0.0));
      }
      List<Edge> all = new ArrayList<>(g.edges());
      all.addAll(add);
      g = of(n, all);
    }
  }

  /** The graph after {@link #bridgeIslands} and the bridges it added. */
  public record Bridged(UnitGraph graph, List<Bridge> bridges) {}

  /** Every undirected edge once (a < b). */
  public List<Edge> edges() {
    List<Edge> out = new ArrayList<>(nbr.length / 2);
    for (int a = 0; a < n; a++) {
      for (int e = off[a]; e < off[a + 1]; e++) {
        if (a < nbr[e]) {
          out.add(new Edge(a, nbr[e], len[e]));
        }
      }
    }
    return out;
  }
}
